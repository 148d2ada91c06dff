"""The organizer's home (``GET /org``): how many entries, how many need attention, the latest batches, duplicate
flags still to review, and the published assignment."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from review_service.contest import flag_review
from review_service.contest.accounts import Principal
from review_service.server.deps import DbDep, page_user
from review_service.storage.job_store import JobStore

from .org_batches import JOB_STATES
from .render import page

router = APIRouter(prefix="/org", include_in_schema=False)


@router.get("", response_class=HTMLResponse)
def dashboard(request: Request, db: DbDep, who: Annotated[Principal, page_user("batches.read")]) -> HTMLResponse:
    records = db.submissions()
    checked = flag_review.latest_verdicts(db, "precheck")
    jobs = JobStore(db).list()[-5:][::-1]
    verdicts = flag_review.latest_verdicts(db, "duplicate")
    pending = sum(flag_review.duplicate_key(f) not in verdicts for f in flag_review.duplicate_flags(db))
    published = db.latest_assignment("published")
    return page(request, "web/org/dashboard.html", entries=len(records),
                attention=sum(flag_review.shown_status(r, checked) != "ok" for r in records), jobs=jobs, states=JOB_STATES,
                pending=pending, published=published)
