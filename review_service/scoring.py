"""Human scoring authority: the only place that writes a score, an eligibility decision or a final assignment.

Every write names the person who made it (``actor``) and lands in the audit log. Nothing in the AI stages calls
this module; a test walks the code to keep it that way.
"""
from __future__ import annotations

import re

from review_service.errors import InputError, PermissionDenied
from review_service.storage import Database

DECISION_KINDS = ("eligibility", "final_assignment", "finalist", "award")
_SYSTEM_ACTOR = re.compile(r"^(system|ai|model|bot)(:|$)", re.IGNORECASE)


def _person(actor: str) -> str:
    actor = (actor or "").strip()
    if not actor:
        raise PermissionDenied("a score or decision needs the name of the person who makes it",
                               hint="pass actor='<your name or login>'")
    if _SYSTEM_ACTOR.match(actor):
        raise PermissionDenied(f"{actor!r} is not a person: AI never scores and never decides")
    return actor


def record_score(db: Database, *, entry_id: str, juror_id: str, criterion: str, value: float, actor: str,
                 comment: str = "", scale: tuple[float, float] = (0, 10)) -> None:
    actor = _person(actor)
    if not (scale[0] <= value <= scale[1]):
        raise InputError(f"score {value} is outside the scale {scale[0]}–{scale[1]}")
    if not criterion.strip():
        raise InputError("a score needs a criterion")
    db.insert_score(entry_id, juror_id, criterion.strip(), float(value), comment, actor)


def record_decision(db: Database, *, entry_id: str, kind: str, value: str, actor: str, reason: str = "") -> None:
    actor = _person(actor)
    if kind not in DECISION_KINDS:
        raise InputError(f"unknown decision kind {kind!r}; known: {', '.join(DECISION_KINDS)}")
    db.insert_decision(entry_id, kind, value, reason, actor)


def confirm_assignment(db: Database, *, entry_id: str, juror_ids: list[str], actor: str, reason: str = "") -> None:
    """A person confirms (or edits) the suggested jurors for an entry; this is what makes an assignment final."""
    if not juror_ids:
        raise InputError("a final assignment needs at least one juror")
    record_decision(db, entry_id=entry_id, kind="final_assignment", value=",".join(juror_ids), actor=actor,
                    reason=reason)
