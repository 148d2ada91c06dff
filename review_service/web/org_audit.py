"""Organizer pages: the audit trail, fifty records a page, with the result of the chain check
(``db.verify_audit``, as ``GET /audit/verify``) under ``audit.read``."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from review_service.contest.accounts import Principal
from review_service.server.deps import DbDep, page_user

from .render import page

router = APIRouter(prefix="/org", include_in_schema=False)


@router.get("/audit", response_class=HTMLResponse)
def audit_page(request: Request, db: DbDep, who: Annotated[Principal, page_user("audit.read")],
               offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0) -> HTMLResponse:
    rows, total = db.audit_page(offset=offset, limit=50)
    return page(request, "web/org/audit.html", rows=rows, total=total, offset=offset, chain=db.verify_audit())
