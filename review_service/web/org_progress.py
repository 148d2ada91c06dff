"""Organizer pages: the progress board (every juror × entry cell: not started, draft, submitted, abstained,
conflict; overdue cells marked), deadline extensions for one juror or one entry, and reminders — sent through
the mail server, or downloaded as a CSV for a mail merge. Each through :mod:`review_service.contest.progress` /
:mod:`review_service.contest.reminders` under the API's permissions (``progress.read``, ``deadlines.extend``,
``reminders.send``)."""
from __future__ import annotations

from datetime import datetime
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from review_service.contest import progress, reminders
from review_service.contest.accounts import Principal
from review_service.core.errors import ReviewError
from review_service.server.deps import CsrfDep, DbDep, SettingsDep, page_user

from .render import marked as _
from .render import page
from .views import REASON_LABELS, entry_titles, juror_names

router = APIRouter(prefix="/org", include_in_schema=False)
CELL = {"not_started": _("not started"), "draft": _("draft"), "submitted": _("submitted"),
        "abstained": _("abstained"), "conflict": _("conflict")}
NOTICES = {"extended": _("The deadline is extended."),
           "sent": _("Reminders sent: %(sent)s; without an e-mail: %(none)s; refused: %(failed)s.")}
ERRORS = {"deadline_not_later": _("The new deadline must be after the scoring deadline."),
          "bad_deadline": _("Give the new deadline as a date and time."),
          "not_found": _("No such juror or entry."),
          "smtp_not_configured": _("No mail server is set: download the CSV for a mail merge."),
          "smtp_failed": _("The mail server could not be reached or refused the sign-in."),
          "note_too_long": _("The reason is too long.")}


@router.get("/progress", response_class=HTMLResponse)
def progress_page(request: Request, db: DbDep, settings: SettingsDep,
                  who: Annotated[Principal, page_user("progress.read")]) -> HTMLResponse:
    board = progress.board(db, settings.scoring_deadline)
    q = request.query_params
    code = q.get("error", "")
    limits = progress.deadlines(db, settings.scoring_deadline)
    extended = sorted(limits.latest.values(), key=lambda x: (x.scope, x.target))
    return page(request, "web/org/progress.html", board=board, titles=entry_titles(db), names=juror_names(db),
                cell_labels=CELL,
                counts=board.counts(), extended=extended, smtp=bool(settings.smtp_host),
                reason_labels=REASON_LABELS, notice=NOTICES.get(q.get("done", ""), ""),
                sent={k: q.get(k, "0") for k in ("sent", "none", "failed")},
                error=ERRORS.get(code, _("Not done: %(detail)s") if code else ""), detail=q.get("detail", ""))


def _back(**query: str) -> RedirectResponse:
    return RedirectResponse("/org/progress" + (f"?{urlencode(query)}" if query else ""), status_code=303)


@router.post("/progress/extensions")
def extend(db: DbDep, settings: SettingsDep, who: Annotated[Principal, page_user("deadlines.extend")],
           _csrf: CsrfDep, scope: Annotated[str, Form(pattern="^(juror|entry)$")],
           target: Annotated[str, Form(min_length=1, max_length=200)],
           until: Annotated[str, Form(max_length=40)], reason: Annotated[str, Form(max_length=500)] = ""):
    """A later deadline; a date and time without a zone is read in the scoring deadline's zone."""
    try:
        when = datetime.fromisoformat(until.strip())
    except ValueError:
        return _back(error="bad_deadline")
    if when.tzinfo is None:
        when = when.replace(tzinfo=settings.scoring_deadline.tzinfo)
    try:
        progress.extend(db, who, scope=scope, target=target, until=when, reason=reason,
                        default=settings.scoring_deadline)
    except ReviewError as exc:
        return _back(error=exc.code, detail=exc.message)
    return _back(done="extended")


@router.post("/progress/reminders")
def send(db: DbDep, settings: SettingsDep, who: Annotated[Principal, page_user("reminders.send")],
         _csrf: CsrfDep) -> RedirectResponse:
    try:
        sent = reminders.send(db, settings, who.login)
    except ReviewError as exc:
        return _back(error=exc.code, detail=exc.message)
    return _back(done="sent", sent=str(len(sent.sent)), none=str(len(sent.no_email)), failed=str(len(sent.failed)))


@router.get("/progress/reminders.csv")
def reminders_csv(db: DbDep, settings: SettingsDep,
                  who: Annotated[Principal, page_user("reminders.send")]) -> Response:
    return Response(reminders.to_csv(reminders.compose(db, settings)), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": 'attachment; filename="reminders.csv"'})
