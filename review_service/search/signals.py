"""Per-candidate signals of one query (what the engine fuses and the benchmarks re-fuse), and the chunk → document
aggregation of a signal."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from review_service.search.fusion import FusionConfig, normalise_values


@dataclass(frozen=True)
class Signals:
    """Per-candidate scores of one query, before fusion (what the benchmark re-fuses many ways).

    Candidates are every chunk of every document that a retriever returned, grouped by document: document ``i``
    owns positions ``starts[i]`` up to ``starts[i + 1]`` of the chunk arrays. Every candidate chunk is scored by
    every signal, so fusion never compares a score with a missing one.
    """

    doc_ids: tuple[str, ...]  # candidate documents
    starts: np.ndarray  # first position of each document's chunks
    chunk_ids: tuple[str, ...]  # candidate chunks, grouped by document
    lexical: np.ndarray  # word BM25 per chunk (zeros with the doc unit)
    dense: np.ndarray  # cosine per chunk
    ngram: np.ndarray | None  # character n-gram BM25 per chunk (None: not used)
    lexical_top: np.ndarray  # bool per chunk: word BM25 returned it (doc unit: per document)
    dense_top: np.ndarray  # bool per chunk: FAISS returned it
    ngram_top: np.ndarray  # bool per chunk: n-gram BM25 returned it
    lexical_docs: np.ndarray | None = None  # doc unit: BM25 per candidate document
    lang: str = "und"  # the query's language
    coverage: float = 1.0  # idf-weighted share of the query's terms in word BM25's best row (search/adaptive.py)
    lexical_best: np.ndarray | None = None  # word BM25's ten best scores

    def doc_slice(self, doc_id: str) -> slice:
        i = self.doc_ids.index(doc_id)
        return slice(int(self.starts[i]), int(self.starts[i + 1]) if i + 1 < len(self.starts) else None)


def top_rows(scores: np.ndarray, depth: int) -> np.ndarray:
    """Rows with a positive score, at most ``depth`` of the highest (in no particular order)."""
    rows = np.flatnonzero(scores > 0)
    if len(rows) > depth:
        rows = rows[np.argpartition(-scores[rows], depth)[:depth]]
    return rows


def doc_signal(scores: np.ndarray, in_top: np.ndarray, starts: np.ndarray, cfg: FusionConfig) -> np.ndarray:
    """Chunk scores → document scores (documents as ``starts`` groups them), normalised over the candidate chunks
    first when a bonus is added: max, max + bonus per further chunk the retriever returned, or the sum over those
    chunks (all chunks where it returned none)."""
    if cfg.aggregation == "max":
        return np.maximum.reduceat(scores, starts)
    norm = normalise_values(scores, cfg.norm if cfg.norm != "none" else "minmax")
    if cfg.aggregation == "sum":
        return np.add.reduceat(norm * in_top if in_top.any() else norm, starts)
    hits = np.add.reduceat(in_top.astype(np.int64), starts)
    return np.maximum.reduceat(norm, starts) + cfg.bonus * np.maximum(0, hits - 1)
