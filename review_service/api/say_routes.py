"""The juror's own say (a declaration on an entry), the organizers' progress board, deadline extensions and
reminders. Each write is made as the signed-in person and audited (:mod:`review_service.contest.declarations`,
:mod:`review_service.contest.progress`, :mod:`review_service.contest.reminders`)."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter
from fastapi.responses import Response

from review_service.contest import assignments, declarations, permissions, progress, reminders
from review_service.contest.accounts import Principal
from review_service.core.errors import ReviewError
from review_service.server.deps import DbDep, SettingsDep, user

from .export_routes import CSV_DOC, CsvResponse
from .say_schemas import (
    DeclarationIn,
    DeclarationOut,
    DeclaredOut,
    ExtensionIn,
    ExtensionOut,
    ProgressOut,
    RemindersOut,
)

router = APIRouter(tags=["jurors' declarations and progress"])


@router.post("/entries/{entry_id}/declaration", response_model=DeclarationOut, status_code=201)
def declare(entry_id: str, body: DeclarationIn, db: DbDep, settings: SettingsDep,
            who: Annotated[Principal, user("review.declare")]) -> dict:
    """The caller's say on an entry, best made on first opening it: no conflict, a conflict of interest, or
    abstain (the entry leaves the caller's list; a review already written stays stored and does not count)."""
    made = declarations.declare(db, who, entry_id, body.kind, body.reason, body.note)
    return {"entry": permissions.public_id(made.entry_id, who, settings.blind_review), "juror": made.juror_id,
            "kind": made.kind, "reason": made.reason, "note": made.note, "at": made.at}


@router.get("/declarations", response_model=list[DeclaredOut])
def list_declarations(db: DbDep, who: Annotated[Principal, user("declarations.read")]) -> list[dict]:
    """Every conflict and abstention the jurors declared, with the solver's suggested replacement against the
    current draft (apply it with ``POST /assignments/draft/edits``, then publish)."""
    try:
        draft = assignments.current_draft(db)
    except ReviewError:
        draft = None
    out = []
    for r in declarations.replacements(db, draft):
        d = r.declaration
        out.append({"entry": d.entry_id, "juror": d.juror_id, "kind": d.kind, "reason": d.reason, "note": d.note,
                    "at": d.at, "actor": d.actor, "in_draft": r.in_draft,
                    "suggested": {"juror": r.juror, "affinity": r.affinity} if r.juror else None})
    return out


@router.get("/progress", response_model=ProgressOut)
def get_progress(db: DbDep, settings: SettingsDep, who: Annotated[Principal, user("progress.read")]) -> dict:
    """Every published juror × entry cell: not_started, draft, submitted, abstained or conflict; an open cell
    past its deadline (the scoring deadline or an extension) is overdue."""
    found = progress.board(db, settings.scoring_deadline)
    return {"deadline": found.deadline, "counts": found.counts(), "jurors": list(found.jurors),
            "entries": list(found.entries),
            "cells": [{"juror": c.juror, "entry": c.entry, "status": c.status, "deadline": c.deadline,
                       "overdue": c.overdue, "source": c.source} for _, c in sorted(found.cells.items())]}


@router.post("/progress/extensions", response_model=ExtensionOut, status_code=201)
def extend(body: ExtensionIn, db: DbDep, settings: SettingsDep,
           who: Annotated[Principal, user("deadlines.extend")]) -> dict:
    """A later scoring deadline for one juror or one entry (audited); scoring honours it."""
    return progress.extend(db, who, scope=body.scope, target=body.target, until=body.until, reason=body.reason,
                           default=settings.scoring_deadline).as_dict()


@router.post("/reminders", response_model=RemindersOut)
def send_reminders(db: DbDep, settings: SettingsDep, who: Annotated[Principal, user("reminders.send")]) -> dict:
    """E-mail each juror with open cells through ``REVIEW_SMTP_HOST`` (409 ``smtp_not_configured`` without one:
    ``GET /exports/reminders.csv`` then gives the mail merge)."""
    sent = reminders.send(db, settings, who.login)
    return {"sent": list(sent.sent), "no_email": list(sent.no_email), "failed": list(sent.failed)}


@router.get("/exports/reminders.csv", response_class=CsvResponse, responses=CSV_DOC)
def reminders_csv(db: DbDep, settings: SettingsDep, who: Annotated[Principal, user("reminders.send")]) -> Response:
    """The reminders as a CSV for a mail merge (juror, name, email, lang, open, overdue, subject, body)."""
    body = reminders.to_csv(reminders.compose(db, settings))
    return CsvResponse(body, headers={"Content-Disposition": 'attachment; filename="reminders.csv"'})
