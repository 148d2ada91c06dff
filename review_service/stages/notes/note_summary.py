"""A note's summary: abstractive sentences from the generator, each kept only if a source passage supports it
(:func:`~review_service.stages.notes.support.check_support`), with the generated questions that point at the
entry; or extractive key sentences chosen by centrality over the sentence embeddings."""
from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from prompts import PromptTemplate, ask_json
from review_service.core.domain import Chunk, Document
from review_service.intake.chunking import split_sentences
from review_service.stages.notes.note_types import Cited
from review_service.stages.notes.support import (
    MAX_CITED,
    SourceSentence,
    central_chunks,
    central_sentences,
    check_support,
    numbered_sentences,
    numbers,
)

logger = logging.getLogger(__name__)

PROMPT_BUDGET_CHARS = 2400


@dataclass(frozen=True)
class Abstractive:
    sentences: tuple[Cited, ...]
    questions: tuple[Cited, ...]
    generated: int
    supported: int
    error: str = ""


def abstractive_summary(document: Document, chunks: Sequence[Chunk], sources: Sequence[SourceSentence],
                        vectors: np.ndarray, *, lang: str, source_lang: str, encoder, generator,
                        prompt: PromptTemplate, max_new_tokens: int) -> Abstractive:
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
        return Abstractive((), (), 0, 0, answer.error or "no usable answer")

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
        anchors = tuple(dict.fromkeys(sources[i].anchor for i in named))
        if not anchors and float(cos.max()) >= 0.35:
            anchors = (sources[int(np.argmax(cos))].anchor,)
        if anchors and not numbers(q["text"]) - numbers(source_text):
            gen_q.append(Cited(q["text"].strip(), anchors, "generated", lang, "related"))
    return Abstractive(tuple(kept), tuple(gen_q), len(claims), len(kept))


def answer_size(max_new_tokens: int) -> tuple[int, int]:
    """How many sentences and questions to ask for so the JSON fits the token budget (≈ 60 tokens a sentence)."""
    n_sentences = max(1, min(4, (max_new_tokens - 20) // 60))
    n_questions = max(0, min(2, (max_new_tokens - 20 - 60 * n_sentences) // 50))
    return n_sentences, n_questions


def extractive_summary(sources: Sequence[SourceSentence], vectors: np.ndarray, k: int,
                       among: Sequence[int] | None = None) -> tuple[Cited, ...]:
    if among is not None:  # only sentences with a vector of their own compete
        pick = central_sentences(vectors[list(among)], [sources[i].text for i in among], k)
        idx = [among[i] for i in pick]
    else:
        idx = central_sentences(vectors, [s.text for s in sources], k)
    return tuple(Cited(sources[i].text, (sources[i].anchor,), "extractive", sources[i].lang) for i in idx)
