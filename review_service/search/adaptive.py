"""Query-adaptive fusion: weight the dense ranking more when the lexical signal is unsure of itself.

A fixed dense weight is fitted on questions that share most of their words with the passage that answers them.
When a question is asked in other words, word BM25 still returns a ranking, but it is built on the one or two
common words the question happens to share with many passages. That shows in the question's own scores, with
nothing fitted to a file:

- **coverage**: the share of the question's terms, each weighted by its idf, found in word BM25's best chunk.
  A question whose best lexical match holds all its rare terms is a lexical question; one whose best match holds
  a third of them is not.
- **sharpness** (``coverage_sharp`` only): how far BM25's best chunk stands above its tenth, ``1 - s10/s1``;
  a flat top means many passages match equally (badly).

The lexical confidence ``c`` ∈ [0, 1] is the coverage (times the sharpness in ``coverage_sharp``), and the dense
weight is ``1 - (1 - w0)·c``: the configured weight ``w0`` when the best lexical chunk covers every term, rising
to dense only when it covers none. It never falls below ``w0`` and it moves one way with ``c`` (tests pin both).
"""
from __future__ import annotations

import numpy as np

ADAPTIVE = ("off", "coverage", "coverage_sqrt", "coverage_sharp")


def idf(df: np.ndarray | float, n_rows: int) -> np.ndarray:
    """Lucene's BM25 idf (what bm25s scores with)."""
    df = np.asarray(df, dtype=np.float64)
    return np.log(1 + (n_rows - df + 0.5) / (df + 0.5))


def term_coverage(bm25, df: np.ndarray, terms: list[str], row: int) -> float:
    """The idf-weighted share of the unique ``terms`` that occur in index row ``row`` of ``bm25`` (terms the
    index does not know count as missing, at the idf of a term in no row)."""
    unique = list(dict.fromkeys(terms))
    if not unique or row < 0:
        return 0.0
    vocab = bm25.vocab_dict
    indptr, indices = bm25.scores["indptr"], bm25.scores["indices"]
    n_rows = int(bm25.scores["num_docs"])
    total = found = 0.0
    for t in unique:
        tid = vocab.get(t, -1)
        known = 0 <= tid < len(df)
        weight = float(idf(df[tid] if known else 0, n_rows))
        total += weight
        if known:
            rows = indices[indptr[tid]:indptr[tid + 1]]
            if np.any(rows == row):
                found += weight
    return found / total if total > 0 else 0.0


def sharpness(top_scores: np.ndarray) -> float:
    """``1 - s10/s1`` over the best lexical scores (fewer than ten: the last one); 0 when nothing scored."""
    s = np.sort(np.asarray(top_scores, dtype=np.float64))[::-1][:10]
    if not len(s) or s[0] <= 0:
        return 0.0
    return float(1 - max(s[-1], 0.0) / s[0]) if len(s) > 1 else 1.0


def lexical_confidence(coverage: float, top_scores: np.ndarray, how: str) -> float:
    if how == "off":
        return 1.0
    c = float(np.clip(coverage, 0.0, 1.0))
    if how == "coverage_sqrt":
        return float(np.sqrt(c))
    return c * sharpness(top_scores) if how == "coverage_sharp" else c


def adaptive_dense_weight(w0: float, confidence: float) -> float:
    """``1 - (1 - w0)·c``: ``w0`` at full lexical confidence, 1 (dense only) at none."""
    return 1.0 - (1.0 - w0) * float(np.clip(confidence, 0.0, 1.0))
