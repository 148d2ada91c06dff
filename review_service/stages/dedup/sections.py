"""Cross-lingual section alignment: runs of consecutive sentences of one document that translate, in order, a
run of another document written in another language.

Chunk vectors (900 characters) blur a translated section that fills a third of a chunk, and cannot tell a
translation from another article about the same event: both share names, numbers and the subject. Sentences can.
For a candidate document pair (each among the other's best cross-lingual partners at the passage level, see
:func:`review_service.stages.dedup.semantic.crosslingual_partners`) both documents are cut into sentence *units*, every
unit is embedded (same model, document prompt), and units are scored with the same ratio margin as passages,
against the units of every document embedded at this level (batch and archive alike):

    margin(x, y) = cos(x, y) / ((knn_L(y)(x) + knn_L(x)(y)) / 2)

A unit pair *links* when its margin clears ``margin`` and it is mutually best within the pair, and at least one
side is the other's best among all embedded units of its language (see :func:`links`). A *run* is a chain of
links that moves forward together in both documents (each step 0–``max_step`` units on each side, so a sentence
split in two by the translator, or one left out, does not break it); its strength is the evidence
Σ (margin − 1). Different articles about one event link a sentence here and there (the same quote, the same
casualty figure) but not, in order, sentence after sentence.

A run with at least ``min_links`` links, evidence ≥ ``min_evidence`` and ``min_run_chars`` characters on each
side is a translated section (:func:`match_sections`).
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from review_service.stages.dedup import semantic


@dataclass(frozen=True)
class Unit:
    text: str
    anchor: str  # the anchor label of the paragraph / chunk it comes from
    lang: str


@dataclass(frozen=True)
class Run:
    """One aligned run: unit index ranges [a_lo, a_hi) and [b_lo, b_hi), the links in it, characters covered."""

    a_lo: int
    a_hi: int
    b_lo: int
    b_hi: int
    links: tuple[tuple[int, int, float], ...]  # (unit in a, unit in b, margin), in order
    chars_a: int
    chars_b: int

    @property
    def mean_margin(self) -> float:
        return float(np.mean([m for _, _, m in self.links]))

    @property
    def evidence(self) -> float:
        """Σ (margin − 1) over the links: how far, in all, the run stands out from its units' neighbourhoods."""
        return float(sum(m - 1.0 for _, _, m in self.links))


def units_of(sentences: Sequence[tuple[str, str]], langs: Sequence[str], *, min_chars: int = 40) -> list[Unit]:
    """Sentence units from ``(sentence, anchor label)`` pairs in reading order, with the language of each.
    A sentence shorter than ``min_chars`` (a heading, a list number) is joined to the next one in its
    paragraph; it carries too little meaning to align on its own."""
    out: list[Unit] = []
    pending, pending_anchor = "", ""
    for (text, anchor), lang in zip(sentences, langs):
        if pending and pending_anchor != anchor:
            out.append(Unit(pending, pending_anchor, lang))
            pending = ""
        text = f"{pending} {text}".strip() if pending else text
        if len(text) < min_chars:
            pending, pending_anchor = text, anchor
            continue
        out.append(Unit(text, anchor, lang))
        pending = ""
    if pending:
        if out and out[-1].anchor == pending_anchor:
            last = out.pop()
            out.append(Unit(f"{last.text} {pending}", last.anchor, last.lang))
        else:
            out.append(Unit(pending, pending_anchor, langs[-1] if len(langs) else "und"))
    return out


def links(p: semantic.Passages, rows: np.ndarray, cols: np.ndarray, knn: dict[str, np.ndarray],
          best: dict[str, np.ndarray], a: int, b: int, *, margin: float) -> list[tuple[int, int, float]]:
    """Linked unit pairs (local indices in a and b, margin) between documents a and b: units in different
    languages, each the other's best-margin counterpart within the other document (mutual), margin ≥ ``margin``,
    and at least one of them the other's best among all embedded units of its language (pool-wide)."""
    m = semantic.margin_matrix_mixed(p, rows, cols, knn)
    if m.size == 0:
        return []
    best_b, best_a = m.argmax(1), m.argmax(0)
    out = []
    for x, y in enumerate(best_b):
        if best_a[y] != x or m[x, y] < margin or p.lang[rows[x]] == p.lang[cols[y]]:
            continue
        if best[p.lang[cols[y]]][rows[x]] == b or best[p.lang[rows[x]]][cols[y]] == a:
            out.append((x, int(y), float(m[x, y])))
    return out


def runs(pairs: Sequence[tuple[int, int, float]], len_a: Sequence[int], len_b: Sequence[int], *,
         max_step: int = 2) -> list[Run]:
    """Monotone chains of links, strongest first, each link used once. A chain moves forward in a, in b or in
    both, at most ``max_step`` units at a time; its strength is the evidence sum Σ (margin − 1)."""
    pairs = sorted(pairs)
    if not pairs:
        return []
    cum_a, cum_b = np.concatenate([[0], np.cumsum(len_a)]), np.concatenate([[0], np.cumsum(len_b)])
    n = len(pairs)
    gain = [m - 1.0 + 1e-3 for _, _, m in pairs]  # + a hair: of two equal chains, the longer
    score = list(gain)
    prev = [-1] * n
    for k, (x, y, _) in enumerate(pairs):
        for j in range(k - 1, -1, -1):
            px, py, _ = pairs[j]
            if x - px > max_step:
                break
            if 0 <= y - py <= max_step and (px, py) != (x, y) and score[j] + gain[k] > score[k]:
                score[k], prev[k] = score[j] + gain[k], j
    used: set[int] = set()
    found: list[Run] = []
    for k in sorted(range(n), key=lambda k: -score[k]):
        chain = []
        j = k
        while j >= 0 and j not in used:
            chain.append(j)
            j = prev[j]
        if not chain:
            continue
        used.update(chain)
        chain.reverse()
        ls = tuple(pairs[j] for j in chain)
        a_lo, a_hi, b_lo, b_hi = ls[0][0], ls[-1][0] + 1, ls[0][1], ls[-1][1] + 1
        found.append(Run(a_lo, a_hi, b_lo, b_hi, ls, int(cum_a[a_hi] - cum_a[a_lo]), int(cum_b[b_hi] - cum_b[b_lo])))
    found.sort(key=lambda r: -r.evidence)
    return found


@dataclass(frozen=True)
class SectionMatch:
    """Qualifying runs between documents a and b (unit indices local to each), with the length-weighted share
    of each document they cover."""

    a: int
    b: int
    runs: tuple[Run, ...]
    coverage_a: float
    coverage_b: float

    @property
    def score(self) -> float:
        return float(np.mean([r.mean_margin for r in self.runs])) if self.runs else 0.0


def _coverage(spans: Sequence[tuple[int, int]], lengths: Sequence[int]) -> float:
    covered = np.zeros(len(lengths), dtype=bool)
    for lo, hi in spans:
        covered[lo:hi] = True
    total = float(np.sum(lengths))
    return float(np.asarray(lengths, float)[covered].sum() / total) if total else 0.0


def match_sections(units: Mapping[int, Sequence[Unit]], vectors: dict[int, np.ndarray],
                   pairs: Sequence[tuple[int, int]], *, margin: float, min_evidence: float, min_run_chars: int,
                   min_links: int = 2, max_step: int = 2, k: int = 4, prior: float = 0.3) -> dict[tuple[int, int], SectionMatch]:
    """Sentence-level alignment of candidate document ``pairs``; ``units``/``vectors`` hold every document of
    any pair (its units and their embeddings). The yardsticks (knn) are taken over all those units — the
    documents that look related to something — so a unit is measured against its own neighbourhood."""
    docs = sorted(d for d in units if len(units[d]))
    if not docs:
        return {}
    owner = np.concatenate([np.full(len(units[d]), d) for d in docs])
    p = semantic.Passages(np.concatenate([vectors[d] for d in docs]).astype(np.float32), owner,
                          np.array([u.lang for d in docs for u in units[d]]),
                          np.array([len(u.text) for d in docs for u in units[d]], float))
    knn = semantic.knn_means(p, k, prior=prior)
    best = semantic.best_docs(p, knn)
    out: dict[tuple[int, int], SectionMatch] = {}
    for a, b in pairs:
        if not len(units.get(a, ())) or not len(units.get(b, ())):
            continue
        rows, cols = np.flatnonzero(owner == a), np.flatnonzero(owner == b)
        len_a, len_b = [len(u.text) for u in units[a]], [len(u.text) for u in units[b]]
        found = [r for r in runs(links(p, rows, cols, knn, best, a, b, margin=margin), len_a, len_b,
                                 max_step=max_step)
                 if len(r.links) >= min_links and r.evidence >= min_evidence
                 and min(r.chars_a, r.chars_b) >= min_run_chars]
        if found:
            out[(a, b)] = SectionMatch(a, b, tuple(found), _coverage([(r.a_lo, r.a_hi) for r in found], len_a),
                                       _coverage([(r.b_lo, r.b_hi) for r in found], len_b))
    return out
