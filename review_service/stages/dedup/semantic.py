"""Paraphrase and cross-lingual duplicates: passage alignment over chunk embeddings with margin scores.

Raw cosine is not comparable across language pairs: with EmbeddingGemma a kk↔ru translation of a news article
can score below two unrelated Russian articles. So, as in bitext mining (Artetxe & Schwenk 2019), a passage
pair is scored by the *ratio margin*

    margin(x, y) = cos(x, y) / ((knn_L(y)(x) + knn_L(x)(y)) / 2)

where ``knn_L(x)`` is the mean cosine of ``x`` to its ``k`` nearest passages *written in language L* in the whole
pool (batch and archive, the passage's own document excluded). A pair only counts when it stands out from what
each side usually scores against that language — hubs and same-language pairs are discounted automatically.

A document pair is a duplicate when enough of *each* document (length-weighted coverage) has a counterpart
whose margin clears ``margin`` and which is mutually best. If only the shorter one is covered, that is
a partial copy (a section taken into a longer entry).
"""
from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from embeddings.encoder import Encoder, encode_in_batches

logger = logging.getLogger(__name__)


def encode_texts(texts: Sequence[str], encoder: Encoder, *, progress: Callable | None = None,
                 desc: str = "embedding passages", batch: int = 32) -> np.ndarray:
    """Document-prompt vectors for ``texts`` in batches, advancing a progress bar made by
    ``progress(total=, desc=)`` (tqdm-like) if given."""
    bar = progress(total=len(texts), desc=desc) if progress and len(texts) else None
    vectors = encode_in_batches(encoder, list(texts), kind="document", batch=batch,
                                on_batch=bar.update if bar is not None else None)
    if bar is not None:
        bar.close()
    return vectors


@dataclass(frozen=True)
class Passages:
    """All chunks of the pool, flattened: vectors (L2-normalised), owning doc index, language, length."""

    vectors: np.ndarray
    doc: np.ndarray  # int index into the pool's documents
    lang: np.ndarray  # language code per passage (of its document)
    length: np.ndarray  # characters, used as weights


@dataclass(frozen=True)
class Alignment:
    a: int
    b: int
    coverage_a: float
    coverage_b: float
    score: float
    pairs: tuple[tuple[int, int, float], ...]  # (passage in a, passage in b, margin), best first


def knn_means(p: Passages, k: int, *, prior: float = 0.4, block: int = 2048) -> dict[str, np.ndarray]:
    """For each language L in the pool: mean cosine of every passage to its k nearest L-passages of other
    documents. Where the pool has fewer than k such passages (a small batch, a language with one entry), the
    missing neighbours count as ``prior`` — a typical similarity to an unrelated passage — so a lone pair is
    not its own yardstick.

    A passage's yardstick towards its *own* language is never below ``prior`` either: in a sparse language
    group (ten English news articles on ten subjects) the nearest same-language passages are all unrelated,
    the yardstick falls to ~0.2 and a ratio margin would call a cosine of 0.32 a paraphrase. Across languages
    no floor applies — there low cosines are what the model gives true translations."""
    out: dict[str, np.ndarray] = {}
    for lang in sorted(set(p.lang.tolist())):
        cols = np.flatnonzero(p.lang == lang)
        target = p.vectors[cols]
        res = np.full(len(p.vectors), prior, dtype=np.float32)
        kk = min(k, len(cols))
        for lo in range(0, len(p.vectors), block):
            if kk == 0:
                break
            sims = p.vectors[lo:lo + block] @ target.T
            sims[p.doc[lo:lo + block, None] == p.doc[cols][None, :]] = -np.inf
            top = -np.partition(-sims, kk - 1, axis=1)[:, :kk]
            valid = np.isfinite(top)
            res[lo:lo + block] = (np.where(valid, top, 0).sum(1) + prior * (k - valid.sum(1))) / k
        own = p.lang == lang
        res[own] = np.maximum(res[own], prior)
        out[lang] = res
    return out


def best_docs(p: Passages, knn: dict[str, np.ndarray], block: int = 2048) -> dict[str, np.ndarray]:
    """For each language L: the document holding each passage's best-margin L-passage in the whole pool
    (own document excluded; -1 if none). A passage only counts as aligned to document B when B is where its
    best counterpart in B's language is — the mutual-nearest-neighbour constraint of bitext mining."""
    out: dict[str, np.ndarray] = {}
    for lang in sorted(knn):
        cols = np.flatnonzero(p.lang == lang)
        res = np.full(len(p.vectors), -1, dtype=np.int64)
        for lo in range(0, len(p.vectors), block):
            cos = p.vectors[lo:lo + block] @ p.vectors[cols].T
            rows_lang = p.lang[lo:lo + block]
            den = (knn[lang][lo:lo + block][:, None] + _col_knn(knn, p, cols, rows_lang)) / 2
            m = cos / np.maximum(den, 1e-6)
            m[p.doc[lo:lo + block, None] == p.doc[cols][None, :]] = -np.inf
            arg = m.argmax(1)
            has = np.isfinite(m[np.arange(len(arg)), arg])
            res[lo:lo + block] = np.where(has, p.doc[cols][arg], -1)
        out[lang] = res
    return out


def _col_knn(knn: dict[str, np.ndarray], p: Passages, cols: np.ndarray, rows_lang: np.ndarray) -> np.ndarray:
    """knn of the column passages towards each row's language: (rows, cols)."""
    out = np.empty((len(rows_lang), len(cols)), dtype=np.float32)
    for lr in set(rows_lang.tolist()):
        out[rows_lang == lr] = knn[lr][cols][None, :]
    return out


def margin_matrix(p: Passages, rows: np.ndarray, cols: np.ndarray, knn: dict[str, np.ndarray]) -> np.ndarray:
    """Ratio margins between passages ``rows`` and ``cols``."""
    cos = p.vectors[rows] @ p.vectors[cols].T
    lang_r, lang_c = p.lang[rows[0]], p.lang[cols[0]]
    den = (knn[lang_c][rows][:, None] + knn[lang_r][cols][None, :]) / 2
    return cos / np.maximum(den, 1e-6)


def margin_matrix_mixed(p: Passages, rows: np.ndarray, cols: np.ndarray, knn: dict[str, np.ndarray]) -> np.ndarray:
    """Ratio margins between passages ``rows`` and ``cols`` when either side mixes languages (each passage's
    yardstick is taken in the other passage's own language)."""
    cos = p.vectors[rows] @ p.vectors[cols].T
    den = np.empty_like(cos)
    lang_r, lang_c = p.lang[rows], p.lang[cols]
    for lr in set(lang_r.tolist()):
        ri = np.flatnonzero(lang_r == lr)
        for lc in set(lang_c.tolist()):
            ci = np.flatnonzero(lang_c == lc)
            den[np.ix_(ri, ci)] = (knn[lc][rows[ri]][:, None] + knn[lr][cols[ci]][None, :]) / 2
    return cos / np.maximum(den, 1e-6)


def align_pair(p: Passages, rows: np.ndarray, cols: np.ndarray, knn: dict[str, np.ndarray], a: int, b: int,
               *, margin: float, best: dict[str, np.ndarray] | None = None) -> Alignment:
    """Length-weighted share of each document whose best counterpart in the other clears ``margin`` (and,
    given ``best``, whose best counterpart in the whole pool lies in the other document)."""
    m = margin_matrix(p, rows, cols, knn)
    best_b = m.argmax(1)
    best_a = m.argmax(0)
    ok_a = m[np.arange(len(rows)), best_b] >= margin
    ok_b = m[best_a, np.arange(len(cols))] >= margin
    if best is not None:
        ok_a &= best[p.lang[cols[0]]][rows] == b
        ok_b &= best[p.lang[rows[0]]][cols] == a
    w_a, w_b = p.length[rows], p.length[cols]
    cov_a = float((w_a * ok_a).sum() / max(w_a.sum(), 1))
    cov_b = float((w_b * ok_b).sum() / max(w_b.sum(), 1))
    pairs = sorted({(int(i), int(best_b[i]), float(m[i, best_b[i]])) for i in range(len(rows)) if ok_a[i]}
                   | {(int(best_a[j]), int(j), float(m[best_a[j], j])) for j in range(len(cols)) if ok_b[j]},
                   key=lambda t: -t[2])
    # score: mean margin of the aligned passages, in [0, ~2]; reported alongside coverage
    score = float(np.mean([t[2] for t in pairs])) if pairs else 0.0
    return Alignment(a, b, cov_a, cov_b, score, tuple(pairs))


def candidate_doc_pairs(p: Passages, knn: dict[str, np.ndarray], *, top: int, margin: float,
                        allowed: Sequence[tuple[int, int]] | None = None,
                        block: int = 2048) -> set[tuple[int, int]]:
    """Document pairs that share at least one passage pair among each other's ``top`` margin-neighbours
    clearing ``margin`` (cheap pre-filter before full alignment)."""
    pairs: set[tuple[int, int]] = set()
    n = len(p.vectors)
    knn_stack = {lang: v for lang, v in knn.items()}
    for lo in range(0, n, block):
        cos = p.vectors[lo:lo + block] @ p.vectors.T
        den = np.zeros_like(cos)
        for lang_c in knn_stack:
            cmask = p.lang == lang_c
            for lang_r in knn_stack:
                rmask = p.lang[lo:lo + block] == lang_r
                if rmask.any() and cmask.any():
                    sub = (knn_stack[lang_c][lo:lo + block][rmask][:, None] + knn_stack[lang_r][cmask][None, :]) / 2
                    den[np.ix_(rmask, cmask)] = sub
        m = cos / np.maximum(den, 1e-6)
        m[p.doc[lo:lo + block, None] == p.doc[None, :]] = -np.inf
        t = min(top, n - 1)
        if t <= 0:
            continue
        idx = np.argpartition(-m, t - 1, axis=1)[:, :t]
        for r, cands in enumerate(idx):
            da = int(p.doc[lo + r])
            for c in cands:
                if m[r, c] >= margin:
                    db = int(p.doc[c])
                    pairs.add((min(da, db), max(da, db)))
    return pairs


def crosslingual_partners(p: Passages, knn: dict[str, np.ndarray], *, top: int, margin: float,
                          comparable: np.ndarray | None = None, block: int = 1024) -> set[tuple[int, int]]:
    """Document pairs worth aligning sentence by sentence: for every document, the ``top`` documents holding
    its best cross-lingual passage margins (passages in different languages, margin ≥ ``margin``); a pair is
    kept when either side has the other among its ``top``. ``p.lang`` is per passage here (a Kazakh section
    inside a Russian entry is a Kazakh passage), and passages must be grouped by document in order.
    ``comparable`` (documents × documents, bool) masks pairs that are never compared (archive–archive)."""
    n_docs = int(p.doc.max()) + 1 if len(p.doc) else 0
    best = np.full((n_docs, n_docs), -np.inf, dtype=np.float32)
    if n_docs < 2:
        return set()
    starts = np.flatnonzero(np.r_[True, p.doc[1:] != p.doc[:-1]])
    col_docs = p.doc[starts]
    langs = sorted(set(p.lang.tolist()))
    for lo in range(0, len(p.vectors), block):
        hi = min(lo + block, len(p.vectors))
        cos = p.vectors[lo:hi] @ p.vectors.T
        den = np.empty_like(cos)
        for lr in langs:
            ri = np.flatnonzero(p.lang[lo:hi] == lr)
            for lc in langs:
                ci = np.flatnonzero(p.lang == lc)
                if len(ri) and len(ci):
                    den[np.ix_(ri, ci)] = (knn[lc][lo + ri][:, None] + knn[lr][ci][None, :]) / 2
        m = cos / np.maximum(den, 1e-6)
        m[p.lang[lo:hi, None] == p.lang[None, :]] = -np.inf
        per_doc = np.maximum.reduceat(m, starts, axis=1)  # (rows, documents with passages)
        np.maximum.at(best, (p.doc[lo:hi, None], col_docs[None, :]), per_doc)
    best = np.maximum(best, best.T)
    np.fill_diagonal(best, -np.inf)
    if comparable is not None:
        best[~comparable] = -np.inf
    pairs: set[tuple[int, int]] = set()
    for i in range(n_docs):
        order = np.argsort(-best[i])[:top]
        for j in order:
            if best[i, j] >= margin:
                pairs.add((min(i, int(j)), max(i, int(j))))
    return pairs
