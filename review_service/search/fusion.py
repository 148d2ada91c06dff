"""Pure functions that turn per-signal scores into one document ranking.

Signals arrive per chunk (BM25 and cosine of the chunks that either retriever returned, every candidate scored
by both), are aggregated to documents (:func:`aggregate`), normalised over the candidate documents, and fused:
either a weighted sum of normalised scores or reciprocal-rank fusion. Which one the engine uses is a
:class:`FusionConfig`; the default is the setting measured best on held-out queries (docs/search.md).
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Mapping
from dataclasses import asdict, dataclass

import numpy as np

METHODS = ("weighted", "rrf", "lexical", "dense")
NORMS = ("minmax", "zscore", "none")
AGGREGATIONS = ("max", "max_bonus", "sum")
OTHER_LANGUAGE = ("impute", "zero")


@dataclass(frozen=True)
class FusionConfig:
    method: str = "weighted"  # weighted | rrf | lexical | dense
    norm: str = "zscore"  # minmax | zscore | none (weighted only)
    dense_weight: float = 0.5  # weighted: share of the dense signal; rrf: weight of its reciprocal rank
    rrf_k: int = 60
    aggregation: str = "max_bonus"  # chunk → document: max | max_bonus (max + bonus·(n−1)) | sum
    bonus: float = 0.05
    depth: int = 100  # chunks taken from each retriever before fusion
    other_language: str = "impute"  # lexical score of an entry in another language than the query, with no
    # query term: "impute" (missing — its dense evidence stands in) or "zero" (counts as a lexical miss)

    def __post_init__(self) -> None:
        for value, known, what in ((self.method, METHODS, "method"), (self.norm, NORMS, "norm"),
                                   (self.aggregation, AGGREGATIONS, "aggregation"),
                                   (self.other_language, OTHER_LANGUAGE, "other_language")):
            if value not in known:
                raise ValueError(f"unknown fusion {what} {value!r}; known: {', '.join(known)}")

    def to_dict(self) -> dict:
        return asdict(self)


def aggregate(chunk_scores: Mapping[str, float], chunk_doc: Mapping[str, str], *, how: str = "max",
              bonus: float = 0.05) -> dict[str, float]:
    """Chunk scores → document scores: best chunk, best chunk + ``bonus`` per further matching chunk, or sum."""
    best: dict[str, float] = {}
    count: dict[str, int] = defaultdict(int)
    total: dict[str, float] = defaultdict(float)
    for cid, score in chunk_scores.items():
        doc = chunk_doc[cid]
        count[doc] += 1
        total[doc] += score
        if doc not in best or score > best[doc]:
            best[doc] = score
    if how == "max":
        return best
    if how == "sum":
        return dict(total)
    return {d: s + bonus * (count[d] - 1) for d, s in best.items()}


def normalise(scores: Mapping[str, float], how: str) -> dict[str, float]:
    if not scores or how == "none":
        return dict(scores)
    values = np.fromiter(scores.values(), dtype=np.float64, count=len(scores))
    if how == "minmax":
        lo, span = values.min(), values.max() - values.min()
        out = (values - lo) / span if span > 0 else np.ones_like(values)
    else:
        std = values.std()
        out = (values - values.mean()) / std if std > 0 else np.zeros_like(values)
    return dict(zip(scores.keys(), out.tolist()))


def _ranks(scores: Mapping[str, float]) -> dict[str, int]:
    return {d: r for r, d in enumerate(sorted(scores, key=lambda d: (-scores[d], d)), 1)}


def fuse(lexical: Mapping[str, float], dense: Mapping[str, float], config: FusionConfig,
         unmatched: Collection[str] = ()) -> dict[str, float]:
    """Document scores from the two signals' document scores (both over the same candidate documents).

    A document that a signal did not score counts as that signal's minimum (weighted) or as unranked (rrf).
    ``unmatched`` documents cannot match the query's words (another language): with ``other_language="impute"``
    their lexical part is left out and the dense part stands for both, so a Russian query does not push a
    Kazakh entry below every Russian entry that shares a word with it.
    """
    if config.method == "lexical":
        return dict(lexical)
    if config.method == "dense":
        return dict(dense)
    docs = set(lexical) | set(dense)
    impute = set(unmatched) if config.other_language == "impute" else set()
    w = config.dense_weight
    if config.method == "rrf":
        lr, dr = _ranks({d: s for d, s in lexical.items() if d not in impute}), _ranks(dense)
        out = {}
        for d in docs:
            dpart = 1 / (config.rrf_k + dr[d]) if d in dr else 0.0
            lpart = dpart if d in impute else (1 / (config.rrf_k + lr[d]) if d in lr else 0.0)
            out[d] = (1 - w) * lpart + w * dpart
        return out
    ln = normalise({d: s for d, s in lexical.items() if d not in impute}, config.norm)
    dn = normalise(dense, config.norm)
    lmin = min(ln.values(), default=0.0)
    dmin = min(dn.values(), default=0.0)
    return {d: (1 - w) * (dn.get(d, dmin) if d in impute else ln.get(d, lmin)) + w * dn.get(d, dmin)
            for d in docs}


def top(scores: Mapping[str, float], k: int) -> list[tuple[str, float]]:
    return sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))[:k]
