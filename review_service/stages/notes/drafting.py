"""Document + prompt + Generator → DraftNote: a grounded, cited draft for the jury, never a score.

For one entry, in the juror's language (``lang``), the note holds:

- ``summary``: abstractive sentences when the generator handles both the note's and the entry's language
  (ru/en with the local Qwen), each kept only if a source passage supports it (see
  :mod:`review_service.stages.notes.support`); otherwise — always for Kazakh and with generator ``none`` —
  extractive key sentences chosen by centrality over the sentence embeddings;
- ``techniques`` and ``services`` from the multilingual taxonomy (:mod:`review_service.stages.taxonomy`);
- ``aims`` and ``form``: quotes with anchors as evidence for each contest aim and for the required form;
- ``questions`` for the defence, templated from gaps in the evidence (+ generated ones where supported);
- ``duplicates``, ``eligibility`` and ``similar``: passed in from the other stages, attached as they are.

Every sentence carries anchors (``Anchor.label()``: page/slide/time/section). The note is headed as an AI
draft with provenance; no field holds a score or a verdict.

This module assembles the note (:func:`draft_note`, choosing which sentences to embed) and drafts a batch through
the notes cache (:func:`draft_batch`); the note's types are in :mod:`~review_service.stages.notes.note_types`,
the summary in :mod:`~review_service.stages.notes.note_summary`, the taxonomy evidence and template questions in
:mod:`~review_service.stages.notes.note_evidence`, the other stages' context in
:mod:`~review_service.stages.notes.note_context`.
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import numpy as np

from prompts import PromptTemplate, load_prompt
from review_service.core.domain import Check, Document, DuplicateFlag, Provenance
from review_service.core.errors import InputError
from review_service.core.language import detect_language
from review_service.core.progress import Progress
from review_service.intake.chunking import chunk_text
from review_service.stages.notes.note_context import attach_context, context_rows
from review_service.stages.notes.note_evidence import (
    cited_quotes,
    scope_label,
    template_questions,
    top_sentences,
    topics,
    with_technique_sentences,
)
from review_service.stages.notes.note_summary import abstractive_summary, extractive_summary
from review_service.stages.notes.note_types import NOTE_FORMAT, AimEvidence, Cited, DraftNote, FormEvidence
from review_service.stages.notes.phrases import phrase
from review_service.stages.notes.support import candidate_sentences, source_sentences
from review_service.stages.taxonomy import Taxonomy, load_taxonomy, match

SUMMARY_SENTENCES = 3
MAX_QUESTIONS = 5
MAX_EMBEDDED_SENTENCES = 24
CANDIDATE_CHAR_SHARE = 0.35
"""With the batch's chunk vectors given, at most :data:`MAX_EMBEDDED_SENTENCES` sentences of an entry, of at most
:data:`CANDIDATE_CHAR_SHARE` of the characters of its chunks together, are embedded one by one (the others stand in
with their chunk's vector): embedding cost follows characters, so the notes stay within about a third of the
entry's own embedding pass whatever its length; see docs/jobs.md, "One embedding pass"."""


def input_hash(document: Document) -> str:
    return hashlib.sha256(f"{document.title}\x00{document.text}".encode()).hexdigest()


def model_ref(model) -> str:
    rev = getattr(model, "revision", "")
    return rev if rev.startswith(model.model_id) else f"{model.model_id}@{rev}"


def generator_handles(generator, *langs: str) -> bool:
    handled = set(getattr(generator, "languages", ()) or ())
    return getattr(generator, "model_id", "none") != "none" and all(lg in handled for lg in langs)


def draft_note(document: Document, *, lang: str, encoder, generator, flags: Sequence[DuplicateFlag] = (),
               checks: Sequence[Check] = (), similar: Sequence[Any] = (), prompt: PromptTemplate | None = None,
               max_new_tokens: int = 320, taxonomy: Taxonomy | None = None, now: datetime | None = None,
               chunk_vectors: np.ndarray | None = None) -> DraftNote:
    """A cited draft note for one entry in language ``lang`` (kk/ru/en). Pure apart from the models it calls.

    ``chunk_vectors`` (one document-prompt vector per chunk, from the batch's embedding pass): only
    :data:`MAX_EMBEDDED_SENTENCES` candidate sentences within :data:`CANDIDATE_CHAR_SHARE` of the chunks' characters
    (:func:`~review_service.stages.notes.support.candidate_sentences`) are embedded; every other sentence takes its chunk's vector, and the extractive summary is chosen among the
    candidates. Without them every sentence is embedded (the ``notes`` command)."""
    if lang not in ("kk", "ru", "en"):
        raise InputError(f"note language {lang!r} is not one of kk, ru, en")
    if not document.text.strip() and not document.chunks:
        raise InputError(f"entry {document.id!r} has no text to draft a note from")
    chunks = document.chunks or chunk_text(document.id, document.text)
    sources = source_sentences(chunks)
    if not sources:
        raise InputError(f"entry {document.id!r} has no sentences to draft a note from")
    source_lang = document.lang if document.lang != "und" else detect_language(document.text or chunks[0].text)
    among: list[int] | None = None
    budget = int(CANDIDATE_CHAR_SHARE * sum(len(c.text) for c in chunks))
    if chunk_vectors is not None and len(chunk_vectors) == len(chunks) and (
            len(sources) > MAX_EMBEDDED_SENTENCES or sum(len(s.text) for s in sources) > budget):
        among = candidate_sentences(sources, np.asarray(chunk_vectors, dtype=np.float32), MAX_EMBEDDED_SENTENCES,
                                    budget_chars=budget, at_least=SUMMARY_SENTENCES)
        vectors = np.asarray(chunk_vectors, dtype=np.float32)[[s.chunk for s in sources]].copy()
        vectors[among] = encoder.encode([sources[i].text for i in among], kind="document")
    else:
        vectors = encoder.encode([s.text for s in sources], kind="document")
    tax = taxonomy or load_taxonomy()
    prompt = prompt or load_prompt("note", lang)
    scope = scope_label(chunks)
    source_text = " ".join(s.text for s in sources)

    texts = [s.text for s in sources]
    tech_matches = match(texts, vectors, tax.of("technique"), encoder=encoder, max_evidence=len(sources))
    techniques = topics([top_sentences(m) for m in tech_matches], sources, lang)
    services = topics(match(texts, vectors, tax.of("service"), encoder=encoder), sources, lang)
    aim_matches = {m.category.id: m for m in match(texts, vectors, tax.of("aim"), encoder=encoder,
                                                   max_evidence=len(sources))}
    aim_matches = with_technique_sentences(aim_matches, tech_matches, tax, vectors, encoder)
    aims = []
    for cat in tax.of("aim"):
        m = aim_matches.get(cat.id)
        quotes = cited_quotes(top_sentences(m), sources) if m else (
            Cited(phrase("not_found", lang), (scope,), "template", lang, "absence", "not_found"),)
        aims.append(AimEvidence(cat.id, cat.label_in(lang), m is not None, m.via if m else "none", quotes))
    form_matches = match(texts, vectors, tax.of("form"), encoder=encoder)
    kinds = topics([m for m in form_matches if m.category.group == "kind"], sources, lang)
    media_anchors = tuple(dict.fromkeys(c.anchor.label() for c in chunks if c.anchor.kind in ("time", "slide")))
    media_kw = [m for m in form_matches if m.category.group == "medium"]
    medium_ev: tuple[Cited, ...]
    if media_anchors:
        medium, medium_ev = "media", (Cited(phrase("medium_media", lang), media_anchors[:3], "template", lang, "scope",
                                            "medium_media"),)
    else:
        medium, medium_ev = "text", (Cited(phrase("medium_text", lang), (scope,), "template", lang, "scope", "medium_text"),)
    if media_kw:
        medium_ev += cited_quotes(media_kw[0], sources)
    form = FormEvidence(kinds, medium, medium_ev)

    use_generator = generator_handles(generator, lang, source_lang)
    summary: tuple[Cited, ...] = ()
    generated_q: tuple[Cited, ...] = ()
    grounding = {"abstractive_generated": 0, "abstractive_supported": 0}
    reason = ""
    if use_generator:
        result = abstractive_summary(document, chunks, sources, vectors, lang=lang, source_lang=source_lang,
                                     encoder=encoder, generator=generator, prompt=prompt,
                                     max_new_tokens=max_new_tokens)
        grounding = {"abstractive_generated": result.generated, "abstractive_supported": result.supported}
        summary, generated_q = result.sentences, result.questions
        reason = result.error or ("" if summary else "no generated sentence was supported by the entry")
    elif getattr(generator, "model_id", "none") == "none":
        reason = "no generator configured"
    else:
        reason = f"generator {generator.model_id} does not handle {lang}/{source_lang}; extractive note"
    mode = "abstractive" if summary else "extractive"
    if not summary:
        summary = extractive_summary(sources, vectors, SUMMARY_SENTENCES, among)
    questions = (template_questions(aims, techniques, services, form, source_text, scope, lang)
                 + list(generated_q))[:MAX_QUESTIONS]

    created = (now or datetime.now(UTC)).isoformat(timespec="seconds")
    used_model = use_generator
    provenance = Provenance(
        model=generator.model_id if used_model else "none",
        model_revision=generator.revision if used_model else "",
        prompt=prompt.name if used_model else "",
        prompt_version=prompt.version if used_model else "",
        input_hash=input_hash(document),
        created_at=created,
    )
    note = DraftNote(
        doc_id=document.id, title=document.title, lang=lang, source_lang=source_lang,
        disclaimer=phrase("disclaimer", lang), provenance=provenance,
        encoder=model_ref(encoder), summary_mode=mode, summary=summary,
        techniques=techniques, services=services, aims=tuple(aims), form=form, questions=tuple(questions),
        grounding={}, fallback_reason=reason if mode == "extractive" else "", taxonomy_version=tax.version,
    )
    all_sentences = note.sentences()
    grounding.update(sentences=len(all_sentences), cited=sum(bool(s.anchors) for s in all_sentences))
    note = replace(note, grounding=grounding)
    return attach_context(note, flags=flags, checks=checks, similar=similar)


def note_key(document: Document, *, lang: str, generator, encoder, prompt: PromptTemplate,
             taxonomy_version: str = "") -> str:
    """Cache key: entry text hash, generator id+revision, prompt name+version, language (and encoder, format)."""
    parts = [NOTE_FORMAT, input_hash(document), f"{generator.model_id}@{generator.revision}", prompt.ref, lang,
             f"{encoder.model_id}@{encoder.revision}", taxonomy_version]
    return hashlib.sha256(json.dumps(parts).encode("utf-8")).hexdigest()


def draft_batch(documents: Sequence[Document], *, lang: str, encoder, generator, cache=None,
                flags: Sequence[DuplicateFlag] = (), checks: Mapping[str, Sequence[Check]] | None = None,
                similar: dict[str, Sequence[Any]] | None = None, progress: bool | Progress = True,
                max_new_tokens: int = 320, chunk_vectors: Mapping[str, np.ndarray] | None = None,
                ) -> Iterator[tuple[dict[str, Any], bool]]:
    """Yield ``(note_dict, was_cached)`` per document; notes already in ``cache`` are not drafted again.

    The cache holds notes without the context fields (flags, checks, similar), which are attached fresh,
    so a new duplicate flag does not cost a new generation. Stopping (Ctrl-C) loses at most the current note.
    ``progress``: a :class:`~review_service.core.progress.Progress`, or True/False for a bar on stderr or none.
    ``chunk_vectors``: per document id, its chunk vectors (see :func:`draft_note`); part of the cache key.
    """
    prompt = load_prompt("note", lang)
    tax = load_taxonomy()
    if not isinstance(progress, Progress):
        progress = Progress(enabled=bool(progress))
    with progress(len(documents), f"notes ({lang})", "entry") as bar:
        for doc in documents:
            vecs = (chunk_vectors or {}).get(doc.id)
            mode = f"+candidates{MAX_EMBEDDED_SENTENCES}/{CANDIDATE_CHAR_SHARE}" if vecs is not None else ""
            key = note_key(doc, lang=lang, generator=generator, encoder=encoder, prompt=prompt,
                           taxonomy_version=tax.version + mode)
            core = cache.get(key) if cache is not None else None
            was_cached = core is not None
            if core is None:
                note = draft_note(doc, lang=lang, encoder=encoder, generator=generator, prompt=prompt,
                                  max_new_tokens=max_new_tokens, taxonomy=tax, chunk_vectors=vecs)
                core = note.to_dict()
                if cache is not None:
                    cache.put(key, doc.id, core)
            ctx = context_rows(doc.id, flags=flags, checks=(checks or {}).get(doc.id, ()),
                               similar=(similar or {}).get(doc.id, ()))
            row = {**core, **json.loads(json.dumps(ctx, ensure_ascii=False))}
            bar.set_postfix_str(f"{doc.id}{' (cached)' if was_cached else ''}")
            bar.update()  # the progress check may stop the batch here, once this note is cached
            yield row, was_cached
