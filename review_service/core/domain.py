"""Domain types: frozen dataclasses passed between the stages.

The flow is intake → parse → chunk → embed/index → duplicates → themes → matching → notes →
human scoring → search. AI outputs (flags, themes, suggestions, notes) carry ``Provenance`` and are
drafts; only :mod:`review_service.contest.scoring` writes a score or a decision, and only for a named person.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Lang = Literal["kk", "ru", "en", "und"]
AnchorKind = Literal["page", "slide", "time", "section", "line"]
CheckOutcome = Literal["pass", "warn", "fail"]
FileStatus = Literal["ok", "needs_attention", "failed"]


@dataclass(frozen=True)
class Anchor:
    """Where a passage comes from: page 3, slide 5 (notes), 01:20–01:35 of a video, section 2."""

    kind: AnchorKind
    start: float
    end: float | None = None
    part: str = ""  # e.g. "notes" for slide speaker notes, "table" for a DOCX table

    def label(self) -> str:
        if self.kind == "time":
            def mmss(t: float) -> str:
                return f"{int(t // 60):02d}:{int(t % 60):02d}"
            end = f"–{mmss(self.end)}" if self.end is not None else ""
            return f"{mmss(self.start)}{end}"
        text = f"{self.kind} {int(self.start)}"
        if self.end is not None and int(self.end) != int(self.start):
            text += f"–{int(self.end)}"
        return f"{text} ({self.part})" if self.part else text


@dataclass(frozen=True)
class Block:
    """A unit of extracted text as the format gives it (a page, paragraph, table, slide, segment)."""

    text: str
    anchor: Anchor
    kind: str = "paragraph"  # heading | paragraph | table | slide | notes | page | segment
    confidence: float = 1.0  # < 1 for OCR and speech; Kazakh speech is marked low


@dataclass(frozen=True)
class Reason:
    """Why a file needs a person's attention, with a stable code (see docs/screening-schema.md)."""

    code: str
    message: str  # in English; pages render ``code`` with ``params`` in the reader's language (core.messages)
    params: dict = field(default_factory=dict, compare=False, hash=False)


@dataclass(frozen=True)
class ParsedDocument:
    """What a parser returns: blocks with anchors plus format facts."""

    format: str  # pdf | docx | pptx | txt | md | html | audio | video
    blocks: tuple[Block, ...]
    pages: int | None = None
    slides: int | None = None
    duration_s: float | None = None
    warnings: tuple[Reason, ...] = ()
    meta: dict[str, str] = field(default_factory=dict)

    @property
    def text(self) -> str:
        return "\n\n".join(b.text for b in self.blocks if b.text.strip())


@dataclass(frozen=True)
class Chunk:
    doc_id: str
    index: int
    text: str
    anchor: Anchor
    lang: Lang = "und"


@dataclass(frozen=True)
class Document:
    """Text of one entry (or past project), ready for the NLP stages. ``id`` is caller-chosen."""

    id: str
    text: str
    title: str = ""
    lang: Lang = "und"
    chunks: tuple[Chunk, ...] = ()
    year: int | None = None
    meta: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Check:
    """One eligibility pre-check: advice for organizers, never an automatic rejection."""

    name: str
    outcome: CheckOutcome
    reason: str  # in English, as screening.json has always had it
    evidence: str = ""
    code: str = ""  # the message a page renders in its reader's language (core.messages), with ``params``
    params: dict = field(default_factory=dict, compare=False, hash=False)


@dataclass(frozen=True)
class Provenance:
    """Where an AI output comes from. Every draft, flag and suggestion carries one."""

    model: str
    model_revision: str
    prompt: str = ""
    prompt_version: str = ""
    input_hash: str = ""
    created_at: str = ""


@dataclass(frozen=True)
class Evidence:
    """A pair of matching passages, side by side, with anchors."""

    a_text: str
    b_text: str
    a_anchor: str = ""
    b_anchor: str = ""
    score: float = 0.0


@dataclass(frozen=True)
class DuplicateFlag:
    """A draft flag for the jury: ``a`` and ``b`` look like duplicates of ``kind``. Not a decision."""

    a: str
    b: str
    kind: str  # exact | near_copy | partial | paraphrase | crosslingual (a translated section: partial,
    # reported with crosslingual/coverage by duplicates.SectionFlag)
    score: float
    evidence: tuple[Evidence, ...] = ()
    b_is_archive: bool = False


@dataclass(frozen=True)
class ThemeAssignment:
    id: str
    theme: int
    label: str
    confidence: float


@dataclass(frozen=True)
class Juror:
    id: str
    name: str = ""
    organization: str = ""
    region: str = ""
    languages: tuple[str, ...] = ()
    expertise: str = ""
    works: tuple[Document, ...] = ()
    max_load: int | None = None
    min_load: int = 0
    conflicts: tuple[str, ...] = ()  # entry ids the juror declared
    opt_outs: tuple[str, ...] = ()
    library: str = ""
