"""Pure functions that turn per-signal scores into one document ranking.

Signals arrive per chunk (word BM25, character n-gram BM25 and cosine of the chunks that any retriever returned,
every candidate scored by all three), are aggregated to documents by the engine, normalised over the
candidate documents, and fused: either a weighted sum of normalised scores or reciprocal-rank fusion. The two
lexical signals share the lexical part (``ngram_share`` of it goes to the n-grams). Which one the engine uses is a
:class:`FusionConfig`; the default is the setting measured best on held-out queries (docs/search.md).
"""
from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import asdict, dataclass

import numpy as np

from review_service.search.adaptive import ADAPTIVE

METHODS = ("weighted", "rrf", "lexical", "ngram", "dense")
NORMS = ("minmax", "zscore", "none")
AGGREGATIONS = ("max", "max_bonus", "sum")
OTHER_LANGUAGE = ("impute", "zero", "dense")


@dataclass(frozen=True)
class FusionConfig:
    method: str = "weighted"  # weighted | rrf | lexical (word BM25 only) | ngram (n-gram BM25 only) | dense
    norm: str = "zscore"  # minmax | zscore | none (weighted only)
    dense_weight: float = 0.5  # weighted: share of the dense signal; rrf: weight of its reciprocal rank
    ngram_share: float = 0.5  # share of the lexical part given to character n-gram BM25 (0: word BM25 alone)
    rrf_k: int = 60
    aggregation: str = "max_bonus"  # chunk → document: max | max_bonus (max + bonus·(n−1)) | sum
    bonus: float = 0.05
    depth: int = 100  # chunks taken from each retriever before fusion
    adaptive: str = "off"  # dense weight per query from the lexical signal's confidence (search/adaptive.py):
    # off | coverage | coverage_sharp
    window_share: float = 0.0  # dense per chunk: (1 - share)·chunk cosine + share·best sentence window's
    typing: bool = True  # restore Kazakh typed in apostrophe Latin or on a Russian keyboard (core/kk_typing.py)
    other_language: str = "dense"  # the lexical part of an entry in another language than the query: "dense"
    # (always its dense part: across languages shared words are names, numbers and loanwords, not the topic),
    # "impute" (its dense part only when it shares no query word) or "zero" (a lexical miss counts as one)

    def __post_init__(self) -> None:
        for value, known, what in ((self.method, METHODS, "method"), (self.norm, NORMS, "norm"),
                                   (self.aggregation, AGGREGATIONS, "aggregation"),
                                   (self.other_language, OTHER_LANGUAGE, "other_language"),
                                   (self.adaptive, ADAPTIVE, "adaptive")):
            if value not in known:
                raise ValueError(f"unknown fusion {what} {value!r}; known: {', '.join(known)}")

    def to_dict(self) -> dict:
        return asdict(self)


def normalise_values(values: np.ndarray, how: str) -> np.ndarray:
    """Min-max to [0, 1], z-scores, or the values as they are ("none")."""
    values = np.asarray(values, dtype=np.float64)
    if not len(values) or how == "none":
        return values
    if how == "minmax":
        lo, span = values.min(), values.max() - values.min()
        return (values - lo) / span if span > 0 else np.ones_like(values)
    std = values.std()
    return (values - values.mean()) / std if std > 0 else np.zeros_like(values)


def normalise(scores: Mapping[str, float], how: str) -> dict[str, float]:
    if not scores or how == "none":
        return dict(scores)
    values = np.fromiter(scores.values(), dtype=np.float64, count=len(scores))
    return dict(zip(scores.keys(), normalise_values(values, how).tolist()))


def _ranks(scores: Mapping[str, float]) -> dict[str, int]:
    return {d: r for r, d in enumerate(sorted(scores, key=lambda d: (-scores[d], d)), 1)}


def fuse(lexical: Mapping[str, float], dense: Mapping[str, float], config: FusionConfig,
         unmatched: Collection[str] = (), ngram: Mapping[str, float] | None = None,
         dense_weight: float | None = None) -> dict[str, float]:
    """Document scores from the signals' document scores (all over the same candidate documents).

    ``ngram`` (character n-gram BM25), when given, takes ``config.ngram_share`` of the lexical part. A document
    that a signal did not score counts as that signal's minimum (weighted) or as unranked (rrf).
    ``unmatched`` documents are in another language than the query (with ``other_language="impute"``, only those
    that share no word with it; the engine decides which): unless ``other_language="zero"``, their lexical part
    is left out and the dense part stands for both, so a Russian query does not push a Kazakh entry below every
    Russian entry that shares a word with it. ``dense_weight`` (the query-adaptive weight) overrides
    ``config.dense_weight``.
    """
    if config.method == "lexical":
        return dict(lexical)
    if config.method == "dense":
        return dict(dense)
    if config.method == "ngram":
        return dict(ngram or {})
    docs = set(lexical) | set(dense) | set(ngram or {})
    impute = set(unmatched) if config.other_language != "zero" else set()
    w = config.dense_weight if dense_weight is None else dense_weight
    g = config.ngram_share if ngram is not None else 0.0
    ngram = ngram or {}
    if config.method == "rrf":
        lr, dr = _ranks({d: s for d, s in lexical.items() if d not in impute}), _ranks(dense)
        gr = _ranks({d: s for d, s in ngram.items() if d not in impute})
        out = {}
        for d in docs:
            dpart = 1 / (config.rrf_k + dr[d]) if d in dr else 0.0
            if d in impute:
                lpart = dpart
            else:
                lpart = ((1 - g) * (1 / (config.rrf_k + lr[d]) if d in lr else 0.0)
                         + g * (1 / (config.rrf_k + gr[d]) if d in gr else 0.0))
            out[d] = (1 - w) * lpart + w * dpart
        return out
    ln = normalise({d: s for d, s in lexical.items() if d not in impute}, config.norm)
    gn = normalise({d: s for d, s in ngram.items() if d not in impute}, config.norm)
    dn = normalise(dense, config.norm)
    lmin, gmin, dmin = (min(x.values(), default=0.0) for x in (ln, gn, dn))

    def lexical_part(d: str) -> float:
        if d in impute:
            return dn.get(d, dmin)
        return (1 - g) * ln.get(d, lmin) + g * gn.get(d, gmin)

    return {d: (1 - w) * lexical_part(d) + w * dn.get(d, dmin) for d in docs}


def top(scores: Mapping[str, float], k: int) -> list[tuple[str, float]]:
    return sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))[:k]
