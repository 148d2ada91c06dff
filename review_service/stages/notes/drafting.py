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
"""
from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

import numpy as np

from prompts import PromptTemplate, ask_json, load_prompt
from review_service.core.domain import Anchor, Check, Chunk, Document, DuplicateFlag, Provenance
from review_service.core.errors import InputError
from review_service.core.language import detect_language
from review_service.core.progress import Progress
from review_service.intake.chunking import chunk_text, split_sentences
from review_service.stages.notes.phrases import phrase
from review_service.stages.notes.support import (
    MAX_CITED,
    SourceSentence,
    candidate_sentences,
    central_chunks,
    central_sentences,
    check_support,
    numbered_sentences,
    numbers,
    source_sentences,
)
from review_service.stages.taxonomy import Match, Taxonomy, description_vectors, load_taxonomy, match

logger = logging.getLogger(__name__)

NOTE_FORMAT = "draft-note/1"
AIMS = ("ai_for_library_services", "professional_growth", "sharing_experience")
PROMPT_BUDGET_CHARS = 2400
SUMMARY_SENTENCES = 3
MAX_QUESTIONS = 5
MAX_EMBEDDED_SENTENCES = 24
CANDIDATE_CHAR_SHARE = 0.35
"""With the batch's chunk vectors given, at most :data:`MAX_EMBEDDED_SENTENCES` sentences of an entry, of at most
:data:`CANDIDATE_CHAR_SHARE` of the characters of its chunks together, are embedded one by one (the others stand in
with their chunk's vector): embedding cost follows characters, so the notes stay within about a third of the
entry's own embedding pass whatever its length; see docs/jobs.md, "One embedding pass"."""


@dataclass(frozen=True)
class Cited:
    """One sentence of a note and the places in the entry it rests on."""

    text: str
    anchors: tuple[str, ...]
    origin: str  # extractive (a quote) | abstractive (generated, checked) | template | generated (question)
    lang: str
    basis: str = "quote"  # quote | supported | absence (searched there, not found) | related


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


# --- helpers ---------------------------------------------------------------------------------------------


def input_hash(document: Document) -> str:
    return hashlib.sha256(f"{document.title}\x00{document.text}".encode()).hexdigest()


def scope_label(chunks: Sequence[Chunk]) -> str:
    """Where the whole entry was searched: 'section 1–12', 'page 1–5', or the first and last anchors."""
    first, last = chunks[0].anchor, chunks[-1].anchor
    if first.kind == last.kind:
        end = last.end if last.end is not None else last.start
        return Anchor(first.kind, first.start, end if end != first.start else None).label()
    return f"{first.label()} … {last.label()}"


def model_ref(model) -> str:
    rev = getattr(model, "revision", "")
    return rev if rev.startswith(model.model_id) else f"{model.model_id}@{rev}"


def generator_handles(generator, *langs: str) -> bool:
    handled = set(getattr(generator, "languages", ()) or ())
    return getattr(generator, "model_id", "none") != "none" and all(lg in handled for lg in langs)


def _quotes(match_: Match, sources: Sequence[SourceSentence]) -> tuple[Cited, ...]:
    return tuple(Cited(sources[i].text, (sources[i].anchor,), "extractive", sources[i].lang) for i in match_.sentences)


def _topics(matches: Sequence[Match], sources: Sequence[SourceSentence], lang: str) -> tuple[Topic, ...]:
    return tuple(Topic(m.category.id, m.category.label_in(lang), m.via, _quotes(m, sources)) for m in matches)


def _top(m: Match, k: int = 2) -> Match:
    return replace(m, sentences=m.sentences[:k])


def _with_technique_sentences(aims: dict[str, Match], techs: Sequence[Match], tax: Taxonomy, vectors: np.ndarray,
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


# --- the summary -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Abstractive:
    sentences: tuple[Cited, ...]
    questions: tuple[Cited, ...]
    generated: int
    supported: int
    error: str = ""


def _abstractive(document: Document, chunks: Sequence[Chunk], sources: Sequence[SourceSentence], vectors: np.ndarray,
                 *, lang: str, source_lang: str, encoder, generator, prompt: PromptTemplate,
                 max_new_tokens: int) -> _Abstractive:
    chunk_vecs = np.stack([
        vectors[[i for i, s in enumerate(sources) if s.chunk == ci]].mean(axis=0)
        if any(s.chunk == ci for s in sources) else np.zeros(vectors.shape[1], dtype=np.float32)
        for ci in range(len(chunks))
    ])
    picked = central_chunks(chunk_vecs, [len(c.text) for c in chunks], PROMPT_BUDGET_CHARS)
    block, index = numbered_sentences(sources, picked, PROMPT_BUDGET_CHARS)
    n_sentences, n_questions = answer_size(max_new_tokens)
    answer = ask_json(generator, prompt, {"title": document.title or document.id, "sentences": block,
                                          "max_sentences": n_sentences, "max_questions": n_questions},
                      max_new_tokens=max_new_tokens)
    if answer.value is None:
        return _Abstractive((), (), 0, 0, answer.error or "no usable answer")

    def cited(item: dict) -> list[int]:
        return [index[int(n) - 1] for n in item.get("sources", []) if 1 <= int(n) <= len(index)]

    # one claim per sentence: an item that strings several sentences together is checked sentence by sentence
    claims = [(t, cited(item)) for item in answer.value["sentences"] for t in split_sentences(item["text"])]
    claims = [(t.strip(), refs) for t, refs in claims if t.strip()]
    questions = [q for q in answer.value.get("questions", []) if q["text"].strip()]
    vecs = encoder.encode([t for t, _ in claims] + [q["text"].strip() for q in questions], kind="document") \
        if claims or questions else np.zeros((0, vectors.shape[1]), dtype=np.float32)
    source_text = " ".join(s.text for s in sources)
    kept: list[Cited] = []
    for (text, refs), vec in zip(claims, vecs[:len(claims)]):
        sup = check_support(text, vec, sources, vectors, source_text=source_text,
                            cross_lingual=source_lang != lang and source_lang != "und", cited=refs)
        logger.debug("support cos %.2f overlap %.2f numbers %s -> %s: %s", sup.cosine, sup.overlap, sup.numbers_ok,
                     sup.supported, text[:120])
        if sup.supported:
            anchors = tuple(dict.fromkeys(sources[i].anchor for i in sup.sources))
            kept.append(Cited(text, anchors, "abstractive", lang, "supported"))
        else:
            logger.info("dropped unsupported sentence (cos %.2f, overlap %.2f, numbers %s): %s",
                        sup.cosine, sup.overlap, sup.numbers_ok, text[:120])
    gen_q: list[Cited] = []
    for q, vec in zip(questions, vecs[len(claims):]):
        cos = vectors @ vec
        named = sorted(set(cited(q)), key=lambda i: -float(cos[i]))[:MAX_CITED]
        anchors: tuple[str, ...] = tuple(dict.fromkeys(sources[i].anchor for i in named))
        if not anchors and float(cos.max()) >= 0.35:
            anchors = (sources[int(np.argmax(cos))].anchor,)
        if anchors and not numbers(q["text"]) - numbers(source_text):
            gen_q.append(Cited(q["text"].strip(), anchors, "generated", lang, "related"))
    return _Abstractive(tuple(kept), tuple(gen_q), len(claims), len(kept))


def answer_size(max_new_tokens: int) -> tuple[int, int]:
    """How many sentences and questions to ask for so the JSON fits the token budget (≈ 60 tokens a sentence)."""
    n_sentences = max(1, min(4, (max_new_tokens - 20) // 60))
    n_questions = max(0, min(2, (max_new_tokens - 20 - 60 * n_sentences) // 50))
    return n_sentences, n_questions


def _extractive(sources: Sequence[SourceSentence], vectors: np.ndarray, k: int,
                among: Sequence[int] | None = None) -> tuple[Cited, ...]:
    if among is not None:  # only sentences with a vector of their own compete
        pick = central_sentences(vectors[list(among)], [sources[i].text for i in among], k)
        idx = [among[i] for i in pick]
    else:
        idx = central_sentences(vectors, [s.text for s in sources], k)
    return tuple(Cited(sources[i].text, (sources[i].anchor,), "extractive", sources[i].lang) for i in idx)


# --- questions ---------------------------------------------------------------------------------------------


def _template_questions(aims: Sequence[AimEvidence], techniques: Sequence[Topic], services: Sequence[Topic],
                        form: FormEvidence, source_text: str, scope: str, lang: str) -> list[Cited]:
    out: list[Cited] = []

    def add(key: str, anchors: tuple[str, ...], basis: str, **fmt: str) -> None:
        out.append(Cited(phrase(key, lang, **fmt), anchors, "template", lang, basis))

    for aim in aims:
        if not aim.found:
            add(f"missing:{aim.id}", (scope,), "absence")
        elif aim.via == "embedding":
            add("weak", aim.quotes[0].anchors, "related", label=aim.label)
    if not techniques:
        add("missing:technique", (scope,), "absence")
    if not services:
        add("missing:service", (scope,), "absence")
    if not form.kinds:
        add("missing:form", (scope,), "absence")
    if not numbers(source_text):
        add("missing:results", (scope,), "absence")
    return out


# --- the note ----------------------------------------------------------------------------------------------


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
    techniques = _topics([_top(m) for m in tech_matches], sources, lang)
    services = _topics(match(texts, vectors, tax.of("service"), encoder=encoder), sources, lang)
    aim_matches = {m.category.id: m for m in match(texts, vectors, tax.of("aim"), encoder=encoder,
                                                   max_evidence=len(sources))}
    aim_matches = _with_technique_sentences(aim_matches, tech_matches, tax, vectors, encoder)
    aims = []
    for cat in tax.of("aim"):
        m = aim_matches.get(cat.id)
        quotes = _quotes(_top(m), sources) if m else (Cited(phrase("not_found", lang), (scope,), "template", lang,
                                                       "absence"),)
        aims.append(AimEvidence(cat.id, cat.label_in(lang), m is not None, m.via if m else "none", quotes))
    form_matches = match(texts, vectors, tax.of("form"), encoder=encoder)
    kinds = _topics([m for m in form_matches if m.category.group == "kind"], sources, lang)
    media_anchors = tuple(dict.fromkeys(c.anchor.label() for c in chunks if c.anchor.kind in ("time", "slide")))
    media_kw = [m for m in form_matches if m.category.group == "medium"]
    if media_anchors:
        medium, medium_ev = "media", (Cited(phrase("medium_media", lang), media_anchors[:3], "template", lang, "scope"),)
    else:
        medium, medium_ev = "text", (Cited(phrase("medium_text", lang), (scope,), "template", lang, "scope"),)
    if media_kw:
        medium_ev += _quotes(media_kw[0], sources)
    form = FormEvidence(kinds, medium, medium_ev)

    use_generator = generator_handles(generator, lang, source_lang)
    summary: tuple[Cited, ...] = ()
    generated_q: tuple[Cited, ...] = ()
    grounding = {"abstractive_generated": 0, "abstractive_supported": 0}
    reason = ""
    if use_generator:
        result = _abstractive(document, chunks, sources, vectors, lang=lang, source_lang=source_lang, encoder=encoder,
                              generator=generator, prompt=prompt, max_new_tokens=max_new_tokens)
        grounding = {"abstractive_generated": result.generated, "abstractive_supported": result.supported}
        summary, generated_q = result.sentences, result.questions
        reason = result.error or ("" if summary else "no generated sentence was supported by the entry")
    elif getattr(generator, "model_id", "none") == "none":
        reason = "no generator configured"
    else:
        reason = f"generator {generator.model_id} does not handle {lang}/{source_lang}; extractive note"
    mode = "abstractive" if summary else "extractive"
    if not summary:
        summary = _extractive(sources, vectors, SUMMARY_SENTENCES, among)
    questions = (_template_questions(aims, techniques, services, form, source_text, scope, lang)
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


# --- context from other stages ------------------------------------------------------------------------------


def _similar_row(item: Any) -> dict[str, Any]:
    if isinstance(item, dict):
        return {k: item[k] for k in ("id", "title", "year", "similarity") if k in item}
    if isinstance(item, (tuple, list)):
        return {"id": str(item[0]), "similarity": round(float(item[1]), 3)}
    return {"id": str(getattr(item, "id", item))}


def context_rows(doc_id: str, *, flags: Sequence[DuplicateFlag] = (), checks: Sequence[Check] = (),
                 similar: Sequence[Any] = ()) -> dict[str, tuple[dict[str, Any], ...]]:
    """Duplicate flags for this entry, eligibility advice (checks that did not pass), similar past projects."""
    dups = []
    for f in flags:
        if doc_id not in (f.a, f.b):
            continue
        mine_is_a = f.a == doc_id
        dups.append({
            "other": f.b if mine_is_a else f.a, "kind": f.kind, "similarity": round(float(f.score), 3),
            "other_is_archive": f.b_is_archive if mine_is_a else False,
            "passages": [{"this": e.a_text if mine_is_a else e.b_text,
                          "this_anchor": e.a_anchor if mine_is_a else e.b_anchor,
                          "other": e.b_text if mine_is_a else e.a_text,
                          "other_anchor": e.b_anchor if mine_is_a else e.a_anchor} for e in f.evidence[:3]],
        })
    elig = [{"check": c.name, "outcome": c.outcome, "reason": c.reason, "evidence": c.evidence}
            for c in checks if c.outcome != "pass"]
    return {"duplicates": tuple(dups), "eligibility": tuple(elig), "similar": tuple(_similar_row(s) for s in similar)}


def attach_context(note: DraftNote, *, flags: Sequence[DuplicateFlag] = (), checks: Sequence[Check] = (),
                   similar: Sequence[Any] = ()) -> DraftNote:
    return replace(note, **context_rows(note.doc_id, flags=flags, checks=checks, similar=similar))


# --- caching and batches ------------------------------------------------------------------------------------


def note_key(document: Document, *, lang: str, generator, encoder, prompt: PromptTemplate,
             taxonomy_version: str = "") -> str:
    """Cache key: entry text hash, generator id+revision, prompt name+version, language (and encoder, format)."""
    parts = [NOTE_FORMAT, input_hash(document), f"{generator.model_id}@{generator.revision}", prompt.ref, lang,
             f"{encoder.model_id}@{encoder.revision}", taxonomy_version]
    return hashlib.sha256(json.dumps(parts).encode("utf-8")).hexdigest()


def draft_batch(documents: Sequence[Document], *, lang: str, encoder, generator, cache=None,
                flags: Sequence[DuplicateFlag] = (), checks: dict[str, Sequence[Check]] | None = None,
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
