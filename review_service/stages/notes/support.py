"""Grounding for draft notes: source sentences with anchors, extractive selection, and the support rule.

Pure functions over sentences and their (L2-normalised) vectors.

**Support rule** for an abstractive sentence ``s`` (documented in docs/notes.md). The generator is shown the entry
as numbered sentences and cites the numbers each of its sentences retells; the *evidence* for ``s`` is the entry
sentence most similar to ``s`` plus the (at most ``MAX_CITED``) cited sentences most similar to it — so a wrong
citation cannot make a sentence supported, and citing everything does not widen the evidence:

- cosine: ``c_i = v(s) · v(source_i)`` over every source sentence; ``best`` = the highest (always evidence);
- term overlap: content terms of ``s`` (folded words of ≥ 4 letters cut to their first 6 letters, so
  inflections meet) found in the terms of the evidence sentences, as a share of the terms of ``s``;
- numbers: every number written in ``s`` occurs in the evidence sentences;
- same language (note and source): supported iff ``best ≥ SUPPORT_COSINE`` and ``overlap ≥ SUPPORT_OVERLAP``
  and the numbers check; across languages term overlap means nothing, so supported iff
  ``best ≥ SUPPORT_COSINE_CROSS`` and the numbers check against the whole entry.

A supported sentence cites the anchors of its evidence, the most similar first (at most 2). An unsupported
sentence is dropped from the note and counted in ``grounding``.
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from review_service.core.domain import Anchor, Chunk
from review_service.core.normalize import fold
from review_service.intake.chunking import split_sentences

SUPPORT_COSINE = 0.6
SUPPORT_OVERLAP = 0.5
SUPPORT_COSINE_CROSS = 0.72
MAX_CITED = 2
MAX_SOURCE_SENTENCES = 240
_WORD = re.compile(r"[^\W\d_]+")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)?")


@dataclass(frozen=True)
class SourceSentence:
    text: str
    anchor: str  # Anchor.label() of the block it comes from (its chunk's when that is not known)
    chunk: int  # index into the document's chunks
    lang: str


@dataclass(frozen=True)
class Support:
    supported: bool
    sources: tuple[int, ...]  # indices of the cited source sentences
    cosine: float
    overlap: float
    numbers_ok: bool


def _line_anchors(chunk: Chunk) -> list[tuple[str, str]]:
    """(text, anchor label) per line of a chunk that does not say where its blocks begin (one read back from an
    older archive index): a chunk that merged blocks 3–6 (one per line) gets 3, 4, 5, 6 back."""
    a = chunk.anchor
    lines = [ln for ln in chunk.text.split("\n") if ln.strip()]
    if a.kind in ("section", "page", "slide", "line") and a.end is not None \
            and len(lines) == int(a.end) - int(a.start) + 1:
        return [(ln, Anchor(a.kind, a.start + k, None, a.part).label()) for k, ln in enumerate(lines)]
    return [(chunk.text, a.label())]


def sentence_places(chunk: Chunk) -> list[tuple[str, str]]:
    """(sentence, anchor label) for each sentence of ``chunk``, in order: the place of the block the sentence
    comes from (``Chunk.parts``) — slide 7 rather than the chunk's slides 4–7, a recording's 00:12–00:17 rather
    than the chunk's 00:00–00:30."""
    if not chunk.parts:
        return [(text, label) for part, label in _line_anchors(chunk) for text in split_sentences(part)]
    out = []
    cursor = 0
    for text in split_sentences(chunk.text):
        at = chunk.text.find(text, cursor)
        if at < 0:  # split_sentences only strips, so this does not happen; the chunk's place then
            out.append((text, chunk.anchor.label()))
            continue
        cursor = at + len(text)
        out.append((text, chunk.place(at, cursor).label()))
    return out


def source_sentences(chunks: Sequence[Chunk], *, limit: int = MAX_SOURCE_SENTENCES,
                     min_chars: int = 12) -> list[SourceSentence]:
    """Sentences of the chunks in order, each with the finest anchor known; overlap duplicates dropped."""
    out: list[SourceSentence] = []
    seen: set[str] = set()
    for ci, chunk in enumerate(chunks):
        for text, label in sentence_places(chunk):
            key = " ".join(text.split())
            if len(key) < min_chars or key in seen:
                continue
            seen.add(key)
            out.append(SourceSentence(key, label, ci, chunk.lang))
            if len(out) >= limit:
                return out
    return out


def terms(text: str) -> set[str]:
    return {w[:6] for w in _WORD.findall(fold(text)) if len(w) >= 4}


def numbers(text: str) -> set[str]:
    return {n.replace(",", ".") for n in _NUMBER.findall(text)}


def check_support(text: str, vector: np.ndarray, sources: Sequence[SourceSentence], source_vectors: np.ndarray, *,
                  source_text: str, cross_lingual: bool, cited: Sequence[int] = ()) -> Support:
    """The support rule (module docstring); ``cited``: indices into ``sources`` the generator said it retells."""
    if not len(sources):
        return Support(False, (), 0.0, 0.0, False)
    cos = source_vectors @ vector
    top = int(np.argmax(cos))
    best = float(cos[top])
    named = sorted({int(i) for i in cited if 0 <= int(i) < len(sources)} - {top}, key=lambda i: -float(cos[i]))
    evidence = [top] + named[:MAX_CITED]
    own = terms(text)
    near: set[str] = set()
    for i in evidence:
        near |= terms(sources[i].text)
    overlap = len(own & near) / len(own) if own else 0.0
    if cross_lingual:
        numbers_ok = numbers(text) <= numbers(source_text)
        ok = best >= SUPPORT_COSINE_CROSS and numbers_ok
    else:
        numbers_ok = numbers(text) <= numbers(" ".join(sources[i].text for i in evidence))
        ok = best >= SUPPORT_COSINE and overlap >= SUPPORT_OVERLAP and numbers_ok
    return Support(ok, tuple(evidence[:2]), best, overlap, numbers_ok)


def numbered_sentences(sources: Sequence[SourceSentence], chunks: Sequence[int], budget_chars: int
                       ) -> tuple[str, list[int]]:
    """The sentences of ``chunks`` (indices), in order, as ``[n] sentence`` lines within ``budget_chars``, and the
    source index of each number (number ``n`` is ``index[n - 1]``)."""
    lines: list[str] = []
    index: list[int] = []
    used = 0
    wanted = set(chunks)
    for i, src in enumerate(sources):
        if src.chunk not in wanted:
            continue
        if lines and used + len(src.text) > budget_chars:
            break
        index.append(i)
        lines.append(f"[{len(index)}] {src.text}")
        used += len(src.text) + 6
    return "\n".join(lines), index


def central_sentences(vectors: np.ndarray, texts: Sequence[str], k: int = 3, *, diversity: float = 0.3,
                      min_chars: int = 30, max_chars: int = 400) -> list[int]:
    """Key sentences by centrality (cosine to the document's mean vector) with MMR for variety; document order.

    Sentences shorter than ``min_chars`` (headings, list stubs) or longer than ``max_chars`` are skipped
    unless nothing else is left.
    """
    n = len(texts)
    if n == 0:
        return []
    ok = [i for i in range(n) if min_chars <= len(texts[i]) <= max_chars] or list(range(n))
    centroid = vectors.mean(axis=0)
    norm = float(np.linalg.norm(centroid)) or 1.0
    central = vectors @ (centroid / norm)
    chosen: list[int] = []
    while len(chosen) < min(k, len(ok)):
        best_i, best_v = -1, -np.inf
        for i in ok:
            if i in chosen:
                continue
            redundancy = max((float(vectors[i] @ vectors[j]) for j in chosen), default=0.0)
            value = (1 - diversity) * float(central[i]) - diversity * redundancy
            if value > best_v:
                best_i, best_v = i, value
        chosen.append(best_i)
    return sorted(chosen)


def central_chunks(chunk_vectors: np.ndarray, lengths: Sequence[int], budget_chars: int) -> list[int]:
    """Most central chunks that fit ``budget_chars`` (the first always fits), in document order."""
    if not len(lengths):
        return []
    centroid = chunk_vectors.mean(axis=0)
    order = np.argsort(-(chunk_vectors @ centroid))
    picked: list[int] = []
    used = 0
    for i in order:
        size = min(int(lengths[int(i)]), budget_chars)
        if picked and used + size > budget_chars:
            continue
        picked.append(int(i))
        used += size
    return sorted(picked)


def candidate_sentences(sources: Sequence[SourceSentence], chunk_vectors: np.ndarray, k: int, *,
                        budget_chars: int | None = None, at_least: int = 3, min_chars: int = 30,
                        max_chars: int = 400) -> list[int]:
    """At most ``k`` sentences worth embedding one by one, of at most ``budget_chars`` characters together (but
    never fewer than ``at_least`` sentences), chosen without embedding any: chunks ranked by centrality (cosine of
    the chunk's vector to the mean of the document's chunk vectors), then sentences taken round-robin from the
    chunks in that order, well-sized sentences (``min_chars``…``max_chars``) first; a sentence that would overrun
    the budget is passed over for a shorter one. Indices into ``sources``, in document order."""
    total = sum(len(s.text) for s in sources)
    budget = total if budget_chars is None else budget_chars
    if len(sources) <= k and total <= budget:
        return list(range(len(sources)))
    centroid = chunk_vectors.mean(axis=0)
    rank = {int(c): r for r, c in enumerate(np.argsort(-(chunk_vectors @ centroid), kind="stable"))}
    by_chunk: dict[int, list[int]] = {}
    for i, s in enumerate(sources):
        by_chunk.setdefault(s.chunk, []).append(i)
    queues = [sorted(idx, key=lambda i: not (min_chars <= len(sources[i].text) <= max_chars))
              for _, idx in sorted(by_chunk.items(), key=lambda kv: rank.get(kv[0], len(rank)))]
    chosen: list[int] = []
    used = 0
    depth = 0
    while len(chosen) < k and any(depth < len(q) for q in queues):
        for q in queues:
            if depth < len(q) and len(chosen) < k:
                size = len(sources[q[depth]].text)
                if used + size <= budget or len(chosen) < at_least:
                    chosen.append(q[depth])
                    used += size
        depth += 1
    return sorted(chosen)
