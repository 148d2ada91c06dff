"""Organizer pages: the duplicate queue — each flag side by side with its evidence, confirmed or dismissed with a
comment through ``flag_review.review_duplicate`` under ``flags.review`` (as ``POST /flags/duplicates/review``)."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from review_service.contest import flag_review
from review_service.contest.accounts import Principal
from review_service.core.errors import ReviewError
from review_service.server.deps import CsrfDep, DbDep, page_user
from review_service.server.page_errors import PageError
from review_service.storage import Database

from .render import page

router = APIRouter(prefix="/org", include_in_schema=False)
Reviewer = Annotated[Principal, page_user("flags.review")]


def _names(db: Database) -> dict[str, str]:
    return {r["entry_id"]: r["file_name"] for r in db.submissions()}


@router.get("/duplicates", response_class=HTMLResponse)
def duplicates(request: Request, db: DbDep, who: Reviewer) -> HTMLResponse:
    verdicts = flag_review.latest_verdicts(db, "duplicate")
    flags = [{**f, "review": verdicts.get(flag_review.duplicate_key(f))} for f in flag_review.duplicate_flags(db)]
    return page(request, "web/org/duplicates.html", flags=flags, names=_names(db),
                error=request.query_params.get("error", ""))


@router.post("/duplicates")
def review_duplicate(db: DbDep, who: Reviewer, _csrf: CsrfDep,
                     a: Annotated[str, Form(max_length=200)], b: Annotated[str, Form(max_length=200)],
                     kind: Annotated[str, Form(max_length=40)],
                     verdict: Annotated[str, Form(pattern="^(confirm|dismiss)$")],
                     comment: Annotated[str, Form(max_length=2000)] = "") -> RedirectResponse:
    if not comment.strip():
        return RedirectResponse("/org/duplicates?error=comment", status_code=303)
    try:
        flag_review.review_duplicate(db, a=a, b=b, kind=kind, verdict=verdict, comment=comment, actor=who)
    except ReviewError as exc:
        raise PageError(404, "not_found") from exc
    return RedirectResponse("/org/duplicates", status_code=303)
