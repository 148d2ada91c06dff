"""The entry's own sentences as evidence in a note: quotes for taxonomy topics (techniques, services, form) and
for each contest aim, where the whole entry was searched, and the defence questions templated from gaps in that
evidence."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import numpy as np

from review_service.core.domain import Anchor, Chunk
from review_service.stages.notes.note_types import AimEvidence, Cited, FormEvidence, Topic
from review_service.stages.notes.phrases import phrase
from review_service.stages.notes.support import SourceSentence, numbers
from review_service.stages.taxonomy import Match, Taxonomy, description_vectors

AIMS = ("ai_for_library_services", "professional_growth", "sharing_experience")


def scope_label(chunks: Sequence[Chunk]) -> str:
    """Where the whole entry was searched: 'section 1–12', 'page 1–5', or the first and last anchors."""
    first, last = chunks[0].anchor, chunks[-1].anchor
    if first.kind == last.kind:
        end = last.end if last.end is not None else last.start
        return Anchor(first.kind, first.start, end if end != first.start else None).label()
    return f"{first.label()} … {last.label()}"


def cited_quotes(match_: Match, sources: Sequence[SourceSentence]) -> tuple[Cited, ...]:
    return tuple(Cited(sources[i].text, (sources[i].anchor,), "extractive", sources[i].lang) for i in match_.sentences)


def topics(matches: Sequence[Match], sources: Sequence[SourceSentence], lang: str) -> tuple[Topic, ...]:
    return tuple(Topic(m.category.id, m.category.label_in(lang), m.via, cited_quotes(m, sources)) for m in matches)


def top_sentences(m: Match, k: int = 2) -> Match:
    return replace(m, sentences=m.sentences[:k])


def with_technique_sentences(aims: dict[str, Match], techs: Sequence[Match], tax: Taxonomy, vectors: np.ndarray,
                             encoder) -> dict[str, Match]:
    """Sentences naming an AI technique are evidence for the aim 'AI for library services' too."""
    aim_id = AIMS[0]
    extra = [i for t in techs if t.via == "keyword" for i in t.sentences]
    if not extra:
        return aims
    cat = next(c for c in tax.of("aim") if c.id == aim_id)
    have = aims.get(aim_id)
    pool = list(dict.fromkeys([*(have.sentences if have and have.via == "keyword" else ()), *extra]))
    desc = description_vectors(encoder, [cat])[0]
    pool.sort(key=lambda i: -float(vectors[i] @ desc))
    terms = tuple(dict.fromkeys([*(have.terms if have else ()), *(x for t in techs for x in t.terms)]))
    return {**aims, aim_id: Match(cat, tuple(pool), "keyword", terms, float(vectors[pool[0]] @ desc))}


def template_questions(aims: Sequence[AimEvidence], techniques: Sequence[Topic], services: Sequence[Topic],
                       form: FormEvidence, source_text: str, scope: str, lang: str) -> list[Cited]:
    out: list[Cited] = []

    def add(key: str, anchors: tuple[str, ...], basis: str, aim: str = "", **fmt: str) -> None:
        out.append(Cited(phrase(key, lang, **fmt), anchors, "template", lang, basis, key, {"aim": aim} if aim else {}))

    for aim in aims:
        if not aim.found:
            add(f"missing:{aim.id}", (scope,), "absence")
        elif aim.via == "embedding":
            add("weak", aim.quotes[0].anchors, "related", aim=aim.id, label=aim.label)
    if not techniques:
        add("missing:technique", (scope,), "absence")
    if not services:
        add("missing:service", (scope,), "absence")
    if not form.kinds:
        add("missing:form", (scope,), "absence")
    if not numbers(source_text):
        add("missing:results", (scope,), "absence")
    return out
