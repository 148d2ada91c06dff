"""Duplicate flags over a batch of entries and an archive of past projects (pure; no I/O).

Kinds, strongest first (one flag per pair, the strongest kind found):
- ``exact``: same text after folding (case, punctuation, Kazakh script);
- ``near_copy``: word-shingle Jaccard ≥ ``near_jaccard`` (MinHash + LSH for candidates, exact Jaccard decides);
- ``crosslingual`` / ``paraphrase``: most of *each* document has a counterpart in the other — same language:
  margin-scored passage alignment over chunk embeddings (:mod:`review_service.stages.dedup.semantic`); across
  languages: runs of sentences translated in order (:mod:`review_service.stages.dedup.sections`);
- ``partial``: a section of one entry appears in the other — by shared shingles (share of the shorter text
  contained in the longer), by passage alignment covering the shorter text only (same language), or, across
  languages, by a run of consecutive sentences that translate a run of the other entry (``crosslingual: true``
  in the exchange row, with the share of each entry covered).

Flags are drafts for the jury, never decisions. Pairs inside the archive are not compared.

This module composes them (one flag per pair, its evidence); the parts live in :mod:`review_service.stages.dedup`:
``duplicate_params`` (thresholds), ``doc_pool`` (the documents compared), ``flag_kinds`` (the pairs of each kind),
``flag_evidence`` (the passages shown), and the building blocks ``shingles``, ``semantic`` and ``sections``.
"""
from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from embeddings.encoder import Encoder
from review_service.core.config import Settings
from review_service.core.domain import Document, DuplicateFlag, Evidence
from review_service.stages.dedup import shingles
from review_service.stages.dedup.doc_pool import Pool
from review_service.stages.dedup.duplicate_params import DuplicateParams
from review_service.stages.dedup.flag_evidence import lexical_evidence, section_evidence, semantic_evidence
from review_service.stages.dedup.flag_kinds import (
    encode_passages,
    exact_pairs,
    lexical_pairs,
    section_kind,
    section_matches,
    semantic_pairs,
)

logger = logging.getLogger(__name__)

KIND_ORDER = ("exact", "near_copy", "crosslingual", "paraphrase", "partial")


@dataclass(frozen=True)
class SectionFlag(DuplicateFlag):
    """A flag found by cross-lingual sentence alignment: ``crosslingual`` (whole translation) or ``partial`` (a
    translated section); ``coverage_a``/``coverage_b`` are the length-weighted shares of each entry aligned."""

    crosslingual: bool = True
    coverage_a: float = 0.0
    coverage_b: float = 0.0


def find_duplicates(docs: Sequence[Document], *, archive: Sequence[Document] = (), encoder: Encoder | None = None,
                    settings: Settings | None = None, params: DuplicateParams | None = None,
                    progress: Callable | None = None) -> list[DuplicateFlag]:
    """Draft duplicate flags among ``docs`` and between ``docs`` and ``archive``.

    ``encoder`` (the :class:`embeddings.encoder.Encoder` protocol) enables the paraphrase/cross-lingual
    kinds; without it only exact, near-copy and partial (lexical) flags are produced. ``progress`` is a
    factory ``progress(total=, desc=)`` returning a tqdm-like bar (``update``, ``close``) used while embedding.
    """
    params = params or DuplicateParams.from_settings(settings)
    pool = Pool(docs=[*docs, *archive], n_batch=len(docs), params=params)
    ids = [d.id for d in pool.docs]
    if len(set(ids)) != len(ids):
        from review_service.core.errors import InputError

        raise InputError("document ids must be unique across the batch and the archive")
    sets = [shingles.shingle_hashes(d.text, params.shingle_size) for d in pool.docs]

    best: dict[tuple[int, int], tuple[str, float, tuple[Evidence, ...]]] = {}

    def offer(pair: tuple[int, int], kind: str, score: float, evidence: Callable[[], tuple[Evidence, ...]]) -> None:
        if pair in best and KIND_ORDER.index(best[pair][0]) <= KIND_ORDER.index(kind):
            return
        best[pair] = (kind, score, evidence())

    for pair, score in exact_pairs(pool).items():
        offer(pair, "exact", score, lambda: ())
    near, partial = lexical_pairs(pool, params, sets)
    for pair, score in near.items():
        offer(pair, "near_copy", score, functools.partial(lexical_evidence, pool, *pair, params))
    for pair, score in partial.items():
        offer(pair, "partial", score, functools.partial(lexical_evidence, pool, *pair, params))
    covered: dict[tuple[int, int], tuple[float, float]] = {}
    if encoder is not None:
        p = encode_passages(pool, encoder, progress)
        for pair, (kind, al) in semantic_pairs(pool, params, p, sets).items():
            score = min(al.coverage_a, al.coverage_b) if kind != "partial" else max(al.coverage_a, al.coverage_b)
            offer(pair, kind, round(score, 4), functools.partial(semantic_evidence, pool, p, al, params))
        matches, units = section_matches(pool, params, p, encoder, progress)
        for pair, match in matches.items():
            kind = section_kind(pool, params, match)
            lo_cov, hi_cov = sorted((match.coverage_a, match.coverage_b))
            before = best.get(pair)
            offer(pair, kind, round(lo_cov if kind == "crosslingual" else hi_cov, 4),
                  functools.partial(section_evidence, match, units, params))
            if best.get(pair) is not before:
                covered[pair] = (match.coverage_a, match.coverage_b)

    flags = []
    for (i, j), (kind, score, evidence) in sorted(best.items(), key=lambda t: (KIND_ORDER.index(t[1][0]), -t[1][1])):
        cov = covered.get((i, j))
        if pool.is_archive(i):  # keep the batch entry first
            i, j = j, i
            evidence = tuple(Evidence(e.b_text, e.a_text, e.b_anchor, e.a_anchor, e.score) for e in evidence)
            cov = cov[::-1] if cov else None
        flag = DuplicateFlag(a=ids[i], b=ids[j], kind=kind, score=round(float(score), 4), evidence=evidence,
                             b_is_archive=pool.is_archive(j))
        if cov is not None:
            flag = SectionFlag(**vars(flag), coverage_a=round(cov[0], 4), coverage_b=round(cov[1], 4))
        flags.append(flag)
    logger.info("%d duplicate flags among %d entries (+%d archive)", len(flags), len(docs), len(archive))
    return flags


def flag_to_row(flag: DuplicateFlag) -> dict:
    """The exchange-file form: ``{"a","b","kind","score","evidence":[...]}`` (+ ``b_is_archive``), and for flags
    found by cross-lingual sentence alignment ``"crosslingual": true`` and ``"coverage": {"a", "b"}``."""
    row = {"a": flag.a, "b": flag.b, "kind": flag.kind, "score": flag.score,
           "evidence": [{"a_text": e.a_text, "a_anchor": e.a_anchor, "b_text": e.b_text, "b_anchor": e.b_anchor,
                         "score": e.score} for e in flag.evidence],
           "b_is_archive": flag.b_is_archive}
    if isinstance(flag, SectionFlag):
        row["crosslingual"] = flag.crosslingual
        row["coverage"] = {"a": flag.coverage_a, "b": flag.coverage_b}
    return row
