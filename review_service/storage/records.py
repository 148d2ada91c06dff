"""Typed records the stores return for the people's acts (frozen: a record is what was stored, never edited).

Rows come out of SQL as mappings; the stores turn them into these at their boundary, so the rest of the code reads
``decision.value`` and the type checker knows each field. The API's schemas are built from them as they are
(FastAPI reads a dataclass as its fields), and templates read the same attributes.
"""
from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Self

from sqlalchemy import RowMapping


@dataclass(frozen=True)
class Record:
    @classmethod
    def from_row(cls, row: Mapping[str, Any] | RowMapping) -> Self:
        """The record from a row (extra columns are ignored)."""
        names = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: v for k, v in row.items() if k in names})

    def as_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


@dataclass(frozen=True)
class Decision(Record):
    """An organizer's decision on an entry: eligibility, finalist or award; the latest of a kind stands."""

    id: int
    entry_id: str
    kind: str  # eligibility | finalist | award
    value: str
    reason: str
    actor: str
    at: str


@dataclass(frozen=True)
class FlagReview(Record):
    """A person's verdict on something the AI flagged: a duplicate, a pre-check, a note sentence."""

    id: int
    kind: str  # duplicate | precheck | note
    target: str
    verdict: str
    comment: str
    actor: str
    at: str


@dataclass(frozen=True)
class Declaration(Record):
    """A juror's own say on an entry, before its content: no conflict, a conflict of interest, or an abstention."""

    id: int
    entry_id: str
    juror_id: str
    kind: str  # none | conflict | abstain
    reason: str  # a short code (contest.declarations.REASONS)
    note: str  # the juror's free text (length-limited, shown escaped)
    actor: str
    at: str


@dataclass(frozen=True)
class Extension(Record):
    """An organizer's later scoring deadline for one juror (``scope`` juror) or one entry (``scope`` entry)."""

    id: int
    scope: str  # juror | entry
    target: str
    until: str  # ISO 8601 with offset
    reason: str
    actor: str
    at: str
