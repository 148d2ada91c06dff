"""Pages: the sign-in page and the front door. Public: ``GET /login`` and static files."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from .render import page

router = APIRouter(include_in_schema=False)


@router.get("/", response_class=RedirectResponse)
def front_door(request: Request) -> RedirectResponse:
    """Signed out: to the sign-in page (keeping ``?lang=``)."""
    lang = request.query_params.get("lang")
    return RedirectResponse(f"/login?lang={lang}" if lang else "/login", status_code=303)


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, next_page: Annotated[str, Query(alias="next")] = "/") -> HTMLResponse:
    safe_next = next_page if next_page.startswith("/") and not next_page.startswith("//") else "/"
    return page(request, "web/login.html", next=safe_next, username="", error="")
