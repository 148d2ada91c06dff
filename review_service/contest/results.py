"""Results: pure arithmetic over submitted reviews. Figures for the people who decide; no code decides.

* a juror's **weighted total** for an entry: Σ weight × value over the rubric's criteria (the rubric version the
  review was submitted under);
* **raw mean**: the mean of the entry's submitted totals;
* **z mean**: each total as a z-score within its juror's own submitted totals ((t − juror mean) / juror SD,
  population SD; 0 for a juror with fewer than two totals or no spread), then the mean per entry — a harsh and
  a lenient juror then count alike;
* **ranks** under each (1 = best; equal values share the better rank) and **ties** flagged;
* **disagreement**: the entry's totals spread (max − min) over more than ``disagreement`` × the total's range.

Only the reviews that count enter any of these (:mod:`review_service.contest.counting`); the others are listed per entry
in ``not_counted`` with their reason and total, for organizers to see, and never averaged.
"""
from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class JurorTotal:
    juror: str
    total: float
    z: float


@dataclass(frozen=True)
class NotCounted:
    juror: str
    total: float
    reason: str  # removed | conflict | declared_conflict | abstained | not_assigned
    since: str | None = None


@dataclass(frozen=True)
class EntryResult:
    entry_id: str
    submitted: int
    required: int
    totals: tuple[JurorTotal, ...]
    raw_mean: float | None
    z_mean: float | None
    rank_raw: int | None
    rank_z: int | None
    tie_raw: bool
    tie_z: bool
    spread: float | None
    disagreement: bool
    not_counted: tuple[NotCounted, ...] = ()


def weighted_total(scores: dict[str, dict], criteria: Sequence[dict]) -> float:
    return sum(float(c["weight"]) * float(scores[c["id"]]["value"]) for c in criteria if c["id"] in scores)


def total_range(criteria: Sequence[dict]) -> float:
    return sum(float(c["weight"]) * (float(c["max"]) - float(c["min"])) for c in criteria)


def _ranks(values: dict[str, float | None]) -> tuple[dict[str, int | None], set[str]]:
    scored = {k: round(v, 6) for k, v in values.items() if v is not None}
    ordered = sorted(scored.values(), reverse=True)
    ranks: dict[str, int | None] = {k: None for k in values}
    for k, v in scored.items():
        ranks[k] = ordered.index(v) + 1
    counts: dict[float, int] = {}
    for v in scored.values():
        counts[v] = counts.get(v, 0) + 1
    return ranks, {k for k, v in scored.items() if counts[v] > 1}


def compute(entry_ids: Sequence[str], reviews: Sequence[dict], rubrics: dict[int, list[dict]],
            required: dict[str, int], disagreement: float = 0.25,
            not_counted: Sequence[dict] = ()) -> list[EntryResult]:
    """``reviews``: the submitted reviews that count ({entry_id, juror_id, rubric_version, scores}); ``rubrics``:
    version → criteria; ``required``: entry → reviews required (its standing pairs); ``not_counted``: submitted
    reviews that do not count, each with ``counted`` (a :class:`review_service.contest.counting.PairStatus`)."""
    totals: dict[tuple[str, str], float] = {}
    ranges: dict[str, float] = {}
    for r in reviews:
        criteria = rubrics[r["rubric_version"]]
        totals[(r["entry_id"], r["juror_id"])] = weighted_total(r["scores"], criteria)
        ranges[r["entry_id"]] = max(ranges.get(r["entry_id"], 0.0), total_range(criteria))
    by_juror: dict[str, list[float]] = {}
    for (_, juror), total in totals.items():
        by_juror.setdefault(juror, []).append(total)
    stats = {j: (statistics.fmean(v), statistics.pstdev(v) if len(v) > 1 else 0.0) for j, v in by_juror.items()}

    def z(juror: str, total: float) -> float:
        mean, sd = stats[juror]
        return (total - mean) / sd if sd > 1e-12 else 0.0

    per_entry: dict[str, list[JurorTotal]] = {e: [] for e in entry_ids}
    for (entry, juror), total in sorted(totals.items()):
        per_entry.setdefault(entry, []).append(JurorTotal(juror, round(total, 6), round(z(juror, total), 6)))
    raw = {e: statistics.fmean(t.total for t in ts) if ts else None for e, ts in per_entry.items()}
    zed = {e: statistics.fmean(t.z for t in ts) if ts else None for e, ts in per_entry.items()}
    rank_raw, tie_raw = _ranks(raw)
    rank_z, tie_z = _ranks(zed)
    aside: dict[str, list[NotCounted]] = {}
    for r in not_counted:
        total = round(weighted_total(r["scores"], rubrics[r["rubric_version"]]), 6)
        aside.setdefault(r["entry_id"], []).append(
            NotCounted(r["juror_id"], total, r["counted"].status, r["counted"].since))
    out = []
    for e, ts in per_entry.items():
        spread = (max(t.total for t in ts) - min(t.total for t in ts)) if ts else None
        wide = bool(spread is not None and ranges.get(e) and spread > disagreement * ranges[e])
        mean, zmean = raw[e], zed[e]
        out.append(EntryResult(e, len(ts), required.get(e, 0), tuple(ts),
                               None if mean is None else round(mean, 4),
                               None if zmean is None else round(zmean, 4), rank_raw[e], rank_z[e],
                               e in tie_raw, e in tie_z, None if spread is None else round(spread, 4), wide,
                               tuple(sorted(aside.get(e, []), key=lambda n: n.juror))))
    return sorted(out, key=lambda r: (r.rank_raw is None, r.rank_raw or 0, r.entry_id))
