"""Who has scored what: the organizers' progress board, and the scoring deadline each (juror, entry) pair has.

Every published (juror, entry) pair is a cell: ``not_started``, ``draft``, ``submitted``, ``abstained`` or
``conflict`` (declared by the juror, or found by matching and blocked); a cell still open (not started, draft)
after its deadline is **overdue**. A pair's deadline is the latest of the scoring deadline
(``REVIEW_SCORING_DEADLINE``), the juror's extension and the entry's extension (:func:`extend`, an organizer's
audited act); :mod:`review_service.contest.scoring` refuses a save or submit after it. Built for the current
contest and one round; a round id can key the extensions and cells later.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from review_service.contest import permissions
from review_service.contest.accounts import Principal
from review_service.core.errors import InputError, NotFound, PermissionDenied
from review_service.storage import Database
from review_service.storage.account_store import PeopleStore
from review_service.storage.jury_store import JuryStore
from review_service.storage.records import Declaration, Extension
from review_service.storage.say_store import SayStore

OPEN = ("not_started", "draft")
STATUSES = ("not_started", "draft", "submitted", "abstained", "conflict")
MAX_REASON = 500


class Deadlines:
    """Each pair's deadline: the default, moved later by the latest extension of its juror or its entry."""

    def __init__(self, default: datetime, extensions: list[Extension]) -> None:
        self.default = default
        self.latest: dict[tuple[str, str], Extension] = {}
        for x in extensions:  # oldest first: the latest per scope and target stands
            self.latest[(x.scope, x.target)] = x

    def until(self, scope: str, target: str) -> datetime | None:
        found = self.latest.get((scope, target))
        return datetime.fromisoformat(found.until) if found else None

    def for_pair(self, juror_id: str, entry_id: str) -> datetime:
        found = [d for d in (self.until("juror", juror_id), self.until("entry", entry_id)) if d is not None]
        return max([self.default, *found])


def deadlines(db: Database, default: datetime) -> Deadlines:
    return Deadlines(default, SayStore(db).extensions())


def deadline_for(db: Database, juror_id: str, entry_id: str, default: datetime) -> datetime:
    return deadlines(db, default).for_pair(juror_id, entry_id)


@dataclass(frozen=True)
class Cell:
    juror: str
    entry: str
    status: str  # one of STATUSES
    deadline: datetime
    overdue: bool
    declaration: Declaration | None = None
    source: str = ""  # a conflict: "juror" (declared) or "matching" (found and blocked)


@dataclass(frozen=True)
class Board:
    jurors: tuple[str, ...]
    entries: tuple[str, ...]
    cells: dict[tuple[str, str], Cell]
    deadline: datetime

    def counts(self) -> dict[str, int]:
        out = dict.fromkeys((*STATUSES, "overdue"), 0)
        for cell in self.cells.values():
            out[cell.status] += 1
            out["overdue"] += cell.overdue
        return out

    def open_cells(self, juror_id: str) -> list[Cell]:
        return [c for (j, _e), c in sorted(self.cells.items()) if j == juror_id and c.status in OPEN]


def board(db: Database, default: datetime, *, at: datetime | None = None) -> Board:
    """Every published pair's cell as of ``at`` (now)."""
    at = at or datetime.now(UTC)
    found = permissions.standing(db)
    reviews = {(r["juror_id"], r["entry_id"]): r["status"] for r in JuryStore(db).reviews()}
    said = {(d.juror_id, d.entry_id): d for d in SayStore(db).declarations()}
    limits = deadlines(db, default)
    cells: dict[tuple[str, str], Cell] = {}
    for pair in found.published:
        juror, entry = pair
        until = limits.for_pair(juror, entry)
        declared = said.get(pair)
        if declared is not None and declared.kind == "abstain":
            status, source = "abstained", "juror"
        elif declared is not None and declared.kind == "conflict":
            status, source = "conflict", "juror"
        elif pair in found.conflicted:
            status, source = "conflict", "matching"
        else:
            status, source = {"draft": "draft", "submitted": "submitted"}.get(reviews.get(pair, ""), "not_started"), ""
        cells[pair] = Cell(juror, entry, status, until, status in OPEN and at > until, declared, source)
    jurors = tuple(sorted({j for j, _ in cells}))
    entries = tuple(sorted({e for _, e in cells}))
    return Board(jurors, entries, cells, default)


def extend(db: Database, who: Principal, *, scope: str, target: str, until: datetime, reason: str = "",
           default: datetime) -> Extension:
    """A later scoring deadline for one juror (``scope`` juror, ``target`` their juror id) or one entry
    (``scope`` entry): an organizer's act, audited. ``until`` must carry a time zone and be later than the
    scoring deadline (an extension never shortens it)."""
    if not who.is_staff:
        raise PermissionDenied("only an organizer extends a deadline")
    if scope not in ("juror", "entry"):
        raise InputError(f"unknown scope {scope!r}", hint="juror or entry", code="bad_scope")
    if until.tzinfo is None:
        raise InputError("the new deadline needs a time zone (e.g. 2026-11-22T23:59:59+05:00)", code="bad_deadline")
    if until <= default:
        raise InputError(f"the new deadline must be after the scoring deadline ({default.isoformat()})",
                         code="deadline_not_later")
    reason = " ".join((reason or "").split())
    if len(reason) > MAX_REASON:
        raise InputError(f"the reason is {len(reason)} characters; at most {MAX_REASON}", code="note_too_long")
    if scope == "entry" and db.submission(target) is None:
        raise NotFound(f"no entry {target!r}")
    if scope == "juror" and target not in {m["juror_id"] for m in PeopleStore(db).jury()}:
        raise NotFound(f"no juror {target!r} in the jury")
    return SayStore(db).extend(scope, target, until.isoformat(timespec="seconds"), reason, who.login)
