"""What a draft note holds: cited sentences (:class:`Cited`), taxonomy topics, evidence for each contest aim and
for the form, and the :class:`DraftNote` itself (drafted by :mod:`review_service.stages.notes.drafting`)."""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any

from review_service.core.domain import Provenance

NOTE_FORMAT = "draft-note/1"


@dataclass(frozen=True)
class Cited:
    """One sentence of a note and the places in the entry it rests on."""

    text: str
    anchors: tuple[str, ...]
    origin: str  # extractive (a quote) | abstractive (generated, checked) | template | generated (question)
    lang: str
    basis: str = "quote"  # quote | supported | absence (searched there, not found) | related
    key: str = ""  # a fixed sentence (origin "template"): its key in notes.phrases, worded for each reader
    params: dict = field(default_factory=dict, compare=False, hash=False)  # {"aim": id} for the "weak" question


@dataclass(frozen=True)
class Topic:
    id: str
    label: str
    via: str  # keyword | embedding
    evidence: tuple[Cited, ...]


@dataclass(frozen=True)
class AimEvidence:
    id: str
    label: str
    found: bool
    via: str  # keyword | embedding | none
    quotes: tuple[Cited, ...]


@dataclass(frozen=True)
class FormEvidence:
    kinds: tuple[Topic, ...]  # project / idea / research, as the entry describes itself
    medium: str  # text | media
    medium_evidence: tuple[Cited, ...]


@dataclass(frozen=True)
class DraftNote:
    doc_id: str
    title: str
    lang: str
    source_lang: str
    disclaimer: str
    provenance: Provenance
    encoder: str
    summary_mode: str  # abstractive | extractive
    summary: tuple[Cited, ...]
    techniques: tuple[Topic, ...]
    services: tuple[Topic, ...]
    aims: tuple[AimEvidence, ...]
    form: FormEvidence
    questions: tuple[Cited, ...]
    grounding: dict[str, int]
    fallback_reason: str = ""
    duplicates: tuple[dict[str, Any], ...] = ()
    eligibility: tuple[dict[str, Any], ...] = ()
    similar: tuple[dict[str, Any], ...] = ()
    kind: str = "ai_draft"
    format: str = NOTE_FORMAT
    taxonomy_version: str = ""
    extra: dict[str, str] = field(default_factory=dict)

    def sentences(self) -> list[Cited]:
        """Every sentence the note states, wherever it sits."""
        out = list(self.summary)
        for topic in (*self.techniques, *self.services, *self.form.kinds):
            out += topic.evidence
        for aim in self.aims:
            out += aim.quotes
        return out + list(self.form.medium_evidence) + list(self.questions)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON types (lists, not tuples): the same shape whether fresh or read back from the cache."""
        data = asdict(self)
        data.pop("extra")
        return json.loads(json.dumps(data, ensure_ascii=False))
