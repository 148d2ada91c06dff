"""Organizer pages: search of past projects — a question with year and language filters, or more like one
project — through the same engine as ``GET /search`` under ``search``."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from review_service.contest.accounts import Principal
from review_service.core.errors import ReviewError
from review_service.server.deps import SearchEngineDep, page_user

from .render import page

router = APIRouter(prefix="/org", include_in_schema=False)


@router.get("/search", response_class=HTMLResponse)
def search_page(request: Request, engine: SearchEngineDep, who: Annotated[Principal, page_user("search")],
                q: Annotated[str, Query(max_length=1000)] = "", like: Annotated[str, Query(max_length=200)] = "",
                year: Annotated[str, Query(max_length=10)] = "",
                lang: Annotated[str, Query(max_length=5, alias="in")] = "") -> HTMLResponse:
    """Past projects: a question (with year and language filters) or more like one project."""
    found, error = None, ""
    filters = {k: [v] for k, v in (("year", year), ("lang", lang)) if v}
    try:
        if like:
            found = engine().more_like_this(like, k=10).to_dict()
        elif q.strip():
            found = engine().search(q, k=10, filters=filters).to_dict()
    except ReviewError as exc:
        error = exc.message
    return page(request, "web/org/search.html", q=q, like=like, year=year, in_lang=lang, found=found, error=error)
