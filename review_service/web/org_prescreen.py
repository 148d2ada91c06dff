"""Organizer pages: the pre-screening report — every entry with its status, reasons and pre-checks — and an
entry's page (the original beside the AI draft note, pre-check verdicts with uphold / override, its reviews and
decisions; the forms of those two post to :mod:`review_service.web.org_results`).

A verdict goes through ``flag_review.review_precheck`` under ``flags.review``, as
``POST /entries/{id}/checks/{check}/review`` does."""
from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from review_service.contest import flag_review, permissions, scoring
from review_service.contest.accounts import Principal
from review_service.contest.counting import Counting
from review_service.core.errors import ReviewError
from review_service.server.deps import CsrfDep, DbDep, RendererDep, SettingsDep, page_user
from review_service.server.page_errors import PageError
from review_service.storage import Database
from review_service.storage.jury_store import JuryStore

from .entry_access import entry_or_404
from .render import language, page
from .views import entry_view

router = APIRouter(prefix="/org", include_in_schema=False)
Reviewer = Annotated[Principal, page_user("flags.review")]


@router.get("/entries", response_class=HTMLResponse)
def prescreen(request: Request, db: DbDep, who: Reviewer) -> HTMLResponse:
    """The pre-screening report: every entry, its status, reasons and pre-checks."""
    verdicts = flag_review.latest_verdicts(db, "precheck")
    records = [{**r, "status": flag_review.shown_status(r, verdicts)} for r in db.submissions()]
    return page(request, "web/org/entries.html", records=records, verdicts=verdicts)


def _counted_reviews(db: Database, entry_id: str) -> list[dict[str, Any]]:
    """The entry's reviews, each with ``counted`` (its pair's :class:`~review_service.contest.counting.PairStatus`)."""
    counting = Counting(db)
    return [{**r, "counted": counting.status(r["juror_id"], entry_id)}
            for r in JuryStore(db).reviews(entry_id=entry_id)]


@router.get("/entries/{entry_id}", response_class=HTMLResponse)
def entry_page(entry_id: str, request: Request, db: DbDep, settings: SettingsDep, renderer: RendererDep,
               who: Reviewer) -> HTMLResponse:
    eid, record = entry_or_404(db, who, entry_id, "flags.review")
    verdicts = flag_review.latest_verdicts(db, "precheck", f"check:{eid}:")
    decided = {k: d for k, d in scoring.current_decisions(db).get(eid, {}).items()}
    view = entry_view(db, settings, who, eid, record, eid, renderer=renderer, lang=language(request))
    record = {**record, "status": flag_review.shown_status(record, verdicts)}
    return page(request, "web/org/entry.html", **view, record=record,
                verdicts=verdicts, error=request.query_params.get("error", ""),
                notice=request.query_params.get("notice", ""), reviews=_counted_reviews(db, eid),
                decided=decided, can_reopen=permissions.allowed(who, "review.reopen"),
                can_decide=permissions.allowed(who, "decisions.write"))


@router.post("/entries/{entry_id}/checks/{check}")
def review_check(entry_id: str, check: str, db: DbDep, who: Reviewer, _csrf: CsrfDep,
                 verdict: Annotated[str, Form(pattern="^(uphold|override)$")],
                 comment: Annotated[str, Form(max_length=2000)] = "") -> RedirectResponse:
    eid, record = entry_or_404(db, who, entry_id, "flags.review")
    if not comment.strip():
        return RedirectResponse(f"/org/entries/{eid}?error=comment#checks", status_code=303)
    try:
        flag_review.review_precheck(db, entry_id=eid, record=record, check=check, verdict=verdict,
                                    comment=comment, actor=who)
    except ReviewError as exc:
        raise PageError(404, "not_found") from exc
    return RedirectResponse(f"/org/entries/{eid}#checks", status_code=303)
