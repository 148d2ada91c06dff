"""Which reviews count: exactly those of the latest publication's pairs that are not in conflict of interest
(:func:`review_service.contest.permissions.standing`). Every other review is kept — nothing is deleted — and shown to
organizers with the reason it is not counted; results, progress and exports never average it.

Reasons: ``removed`` (the pair was published once and a later publication dropped it; ``since`` is that
publication's time), ``conflict`` (published, but in conflict of interest with the juror), ``not_assigned``
(never published: e.g. written before any publication, or by an account linked to another juror's profile),
``declared_conflict`` and ``abstained`` (published, but the juror declared a conflict of interest or abstained
on first opening the entry: :mod:`review_service.contest.declarations`).
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from review_service.contest.permissions import Standing, pairs, standing
from review_service.storage import Database

COUNTED = "counted"
REASONS = ("removed", "conflict", "declared_conflict", "abstained", "not_assigned")


@dataclass(frozen=True)
class PairStatus:
    status: str  # counted | removed | conflict | declared_conflict | abstained | not_assigned
    since: str | None = None  # removed: when the publication that dropped the pair was made
    version: int | None = None  # removed: that publication's version

    @property
    def counted(self) -> bool:
        return self.status == COUNTED


def removals(publications: list[dict]) -> dict[tuple[str, str], tuple[str, int]]:
    """(juror, entry) → (time, version) of the publication that dropped the pair, for every pair some
    publication had and the latest has not (publications oldest first)."""
    dropped: dict[tuple[str, str], tuple[str, int]] = {}
    before: set[tuple[str, str]] = set()
    for pub in publications:
        now = pairs(pub["payload"])
        for pair in before - now:
            dropped[pair] = (pub["at"], int(pub["version"]))
        for pair in now:
            dropped.pop(pair, None)
        before = now
    return dropped


class Counting:
    """The status of every (juror, entry) pair, computed once per request."""

    def __init__(self, db: Database) -> None:
        self.standing: Standing = standing(db)
        self._removed = removals(db.assignment_history("published")) if self.standing.version else {}

    def status(self, juror_id: str, entry_id: str) -> PairStatus:
        pair = (juror_id, entry_id)
        if pair in self.standing.pairs:
            return PairStatus(COUNTED)
        if pair in self.standing.conflicted:
            return PairStatus("conflict")
        if pair in self.standing.declared and pair in self.standing.published:
            return PairStatus(self.standing.declared[pair])
        if pair in self._removed:
            at, version = self._removed[pair]
            return PairStatus("removed", at, version)
        return PairStatus("not_assigned")

    def required(self) -> dict[str, int]:
        """Entry → the reviews it needs: its standing pairs."""
        out: dict[str, int] = {}
        for _juror, entry in self.standing.pairs:
            out[entry] = out.get(entry, 0) + 1
        return out

    def split(self, reviews: Iterable[dict]) -> tuple[list[dict], list[dict]]:
        """(counted, not counted) reviews; each not-counted one carries ``counted`` = its :class:`PairStatus`."""
        counted, other = [], []
        for r in reviews:
            found = self.status(r["juror_id"], r["entry_id"])
            if found.counted:
                counted.append(r)
            else:
                other.append({**r, "counted": found})
        return counted, other


def label(found: PairStatus) -> str:
    """The status as one cell of an export: ``yes``, ``removed 2026-11-18``, ``conflict``, ``not_assigned``."""
    if found.counted:
        return "yes"
    return f"removed {found.since[:10]}" if found.status == "removed" and found.since else found.status
