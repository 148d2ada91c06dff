"""Human scoring: the rubric, a juror's reviews (draft → submitted, reopened by an organizer), decisions.

The only code that writes a score or a decision, always as the signed-in person (:class:`people.Principal`);
who may do what, on which entry, is decided in :mod:`review_service.contest.permissions` before these are called. Every
write lands in the audit chain with before/after. Nothing an AI stage reaches imports this module (a test walks
the imports).
"""
from __future__ import annotations

import math
from datetime import UTC, datetime

from pydantic import BaseModel, ConfigDict, Field, model_validator

from review_service.contest.accounts import Principal
from review_service.core.errors import InputError, NotFound, PermissionDenied, StateConflict
from review_service.storage import Database
from review_service.storage.jury_store import JuryStore
from review_service.storage.records import Decision

DECISION_KINDS = ("eligibility", "finalist", "award")
DECISION_VALUES = {"eligibility": ("eligible", "not_eligible"), "finalist": ("yes", "no")}
LANGS = ("kk", "ru", "en")


class Criterion(BaseModel):
    """One rubric criterion: names and descriptions in kk/ru/en, weight, scale, whether a comment is required."""

    model_config = ConfigDict(extra="forbid")
    id: str = Field(min_length=1, max_length=40, pattern=r"^[a-z0-9_]+$")
    name: dict[str, str] = Field(description="kk, ru and en names")
    description: dict[str, str] = Field(default_factory=dict, description="kk, ru and en descriptions")
    weight: float = Field(gt=0, le=100)
    min: float = 0
    max: float = 10
    step: float = Field(default=1, gt=0)
    comment_required: bool = False

    @model_validator(mode="after")
    def _check(self) -> Criterion:
        missing = [lang for lang in LANGS if not self.name.get(lang, "").strip()]
        if missing:
            raise ValueError(f"criterion {self.id!r} needs a name in {', '.join(missing)}")
        if set(self.name) - set(LANGS) or set(self.description) - set(LANGS):
            raise ValueError("names and descriptions are keyed kk, ru, en")
        if not (self.min < self.max) or not all(map(math.isfinite, (self.min, self.max, self.step))):
            raise ValueError(f"criterion {self.id!r}: min must be below max")
        if not _on_step(self.max, self.min, self.step):
            raise ValueError(f"criterion {self.id!r}: max must be min plus a whole number of steps")
        return self


def _on_step(value: float, low: float, step: float) -> bool:
    n = (value - low) / step
    return abs(n - round(n)) < 1e-6


def check_rubric(criteria: list[Criterion]) -> None:
    if not criteria:
        raise InputError("a rubric needs at least one criterion")
    ids = [c.id for c in criteria]
    if len(set(ids)) != len(ids):
        raise InputError(f"criterion ids repeat: {', '.join(sorted({i for i in ids if ids.count(i) > 1}))}")


def publish_rubric(db: Database, criteria: list[Criterion], actor: Principal) -> dict:
    """A new rubric version; reviews keep the version they were scored under."""
    check_rubric(criteria)
    return JuryStore(db).add_rubric([c.model_dump() for c in criteria], actor.login)


def current_rubric(db: Database) -> dict:
    rubric = JuryStore(db).rubric()
    if rubric is None:
        raise NotFound("no rubric yet", hint="an organizer publishes one: POST /rubric")
    return rubric


def _criteria(rubric: dict) -> dict[str, Criterion]:
    return {c["id"]: Criterion(**c) for c in rubric["criteria"]}


def _check_values(criteria: dict[str, Criterion], values: dict[str, dict]) -> dict[str, dict]:
    out = {}
    for cid, v in values.items():
        if cid not in criteria:
            raise InputError(f"unknown criterion {cid!r}", hint=f"the rubric has: {', '.join(criteria)}")
        c = criteria[cid]
        value = float(v["value"])
        if not math.isfinite(value) or not (c.min <= value <= c.max):
            raise InputError(f"{cid}: {value:g} is outside the scale {c.min:g}–{c.max:g}")
        if not _on_step(value, c.min, c.step):
            raise InputError(f"{cid}: {value:g} is not on the scale's steps of {c.step:g} from {c.min:g}")
        out[cid] = {"value": value, "comment": str(v.get("comment") or "").strip()}
    return out


def deadline_passed(deadline: datetime) -> bool:
    """Whether scores can no longer be saved (pages lock the form before anyone types)."""
    return datetime.now(UTC) > deadline


def _before_deadline(db: Database, juror_id: str, entry_id: str, deadline: datetime) -> None:
    """``deadline`` (the scoring deadline), or the pair's extension (:mod:`review_service.contest.progress`)."""
    from review_service.contest.progress import deadline_for

    deadline = deadline_for(db, juror_id, entry_id, deadline)
    if deadline_passed(deadline):
        raise StateConflict(f"the scoring deadline ({deadline.isoformat()}) has passed", code="deadline_passed",
                            hint="ask an organizer")


def _juror(actor: Principal) -> str:
    if actor.role != "juror" or not actor.juror_id:
        raise PermissionDenied("only a juror scores, under their own account")
    return actor.juror_id


def save_review(db: Database, entry_id: str, values: dict[str, dict], actor: Principal, *,
                deadline: datetime) -> dict:
    """The juror's draft scores for an entry (merged with what they saved before)."""
    juror = _juror(actor)
    _before_deadline(db, juror, entry_id, deadline)
    rubric = current_rubric(db)
    checked = _check_values(_criteria(rubric), values)
    if not checked:
        raise InputError("no scores given")
    return JuryStore(db).save_review(entry_id, juror, rubric["version"], checked, actor.login)


def submit_review(db: Database, entry_id: str, actor: Principal, *, deadline: datetime) -> dict:
    """Lock the juror's scores: every criterion scored, comments where the rubric requires them."""
    juror = _juror(actor)
    _before_deadline(db, juror, entry_id, deadline)
    rubric = current_rubric(db)
    criteria = _criteria(rubric)

    def complete(head: dict, sheet: dict[str, dict]) -> None:
        if head["rubric_version"] != rubric["version"]:
            raise StateConflict(f"scored under rubric {head['rubric_version']}, now {rubric['version']}",
                                code="rubric_changed", hint="save the scores again under the current rubric")
        missing = [c for c in criteria if c not in sheet]
        uncommented = [c.id for c in criteria.values() if c.comment_required and not sheet.get(c.id, {}).get("comment")]
        if missing or uncommented:
            parts = ([f"not scored: {', '.join(missing)}"] if missing else []) + (
                [f"comment required: {', '.join(uncommented)}"] if uncommented else [])
            raise InputError("the review is incomplete (" + "; ".join(parts) + ")")
        _check_values(criteria, {c: v for c, v in sheet.items() if c in criteria})

    return JuryStore(db).set_review_status(entry_id, juror, status="submitted", actor=actor.login,
                                           action="review_submitted", check=complete)


def reopen_review(db: Database, entry_id: str, juror_id: str, reason: str, actor: Principal) -> dict:
    if not actor.is_staff:
        raise PermissionDenied("only an organizer reopens a submitted review")
    if not reason.strip():
        raise InputError("reopening a submitted review needs a reason")
    return JuryStore(db).set_review_status(entry_id, juror_id, status="draft", actor=actor.login,
                                           action="review_reopened", detail={"reason": reason.strip()})


def record_decision(db: Database, *, entry_id: str, kind: str, value: str, actor: Principal,
                    reason: str = "") -> Decision:
    """An organizer's decision: eligibility (eligible / not_eligible, with a reason), finalist (yes / no),
    award (a place: 1, 2, 3 …, "special" for a special prize, or "none"). Each is a separate act; the latest of a kind stands."""
    if not actor.is_staff:
        raise PermissionDenied("only an organizer records a decision")
    if kind not in DECISION_KINDS:
        raise InputError(f"unknown decision kind {kind!r}; known: {', '.join(DECISION_KINDS)}")
    value = value.strip()
    allowed = DECISION_VALUES.get(kind)
    if allowed and value not in allowed:
        raise InputError(f"a {kind} decision is one of: {', '.join(allowed)}")
    if kind == "award" and not (value in ("none", "special") or (value.isdigit() and 1 <= int(value) <= 10)):
        raise InputError('an award is a place 1–10, "special" (a special prize), or "none"')
    if kind == "eligibility" and value == "not_eligible" and not reason.strip():
        raise InputError("a not-eligible decision needs a reason")
    return JuryStore(db).add_decision(entry_id, kind, value, reason.strip(), actor.login)


def current_decisions(db: Database) -> dict[str, dict[str, Decision]]:
    """entry → kind → the latest decision."""
    out: dict[str, dict[str, Decision]] = {}
    for d in JuryStore(db).decisions():
        out.setdefault(d.entry_id, {})[d.kind] = d
    return out


def results(db: Database, disagreement: float):
    """Every entry's figures from the submitted reviews that count (:mod:`review_service.contest.counting`: the latest
    publication's pairs not in conflict); the others are listed per entry as not counted."""
    from review_service.contest.counting import Counting
    from review_service.contest.results import compute

    store = JuryStore(db)
    counting = Counting(db)
    counted, other = counting.split(store.reviews(status="submitted"))
    versions = {r["rubric_version"] for r in counted + other}
    rubrics = {v: store.rubric(v)["criteria"] for v in versions}  # type: ignore[index]
    return compute(db.entry_ids(), counted, rubrics, counting.required(), disagreement, not_counted=other)
