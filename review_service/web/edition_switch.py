"""The edition a person works in on the pages: the switch in the header (``POST /account/edition``) remembers the
chosen edition in the ``review_edition`` cookie; every page then works in it (server/deps.py, ``in_edition``). A
juror may choose only an edition whose jury they are on (docs/editions.md)."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse

from review_service.contest import editions
from review_service.contest.accounts import Principal
from review_service.core.errors import NotFound, PermissionDenied
from review_service.server.deps import EDITION_COOKIE, CsrfDep, DbDep, page_user
from review_service.server.page_errors import PageError

router = APIRouter(prefix="/account", include_in_schema=False)


def _back(next_path: str) -> str:
    """A path on this site to go back to (never another site's address)."""
    return next_path if next_path.startswith("/") and not next_path.startswith(("//", "/\\")) else "/"


@router.post("/edition")
def switch_edition(request: Request, db: DbDep, who: Annotated[Principal, page_user("editions.read")],
                   _csrf: CsrfDep, edition: Annotated[str, Form(min_length=1, max_length=40)],
                   next: Annotated[str, Form(max_length=2000)] = "/") -> RedirectResponse:
    """Work in ``edition`` from now on (this browser); back to the page the switch was on."""
    try:
        chosen = editions.chosen(db, request.app.state.settings, edition, who)
    except NotFound:
        raise PageError(404, "not_found") from None
    except PermissionDenied:
        raise PageError(403, "forbidden") from None
    response = RedirectResponse(_back(next), status_code=303)
    response.set_cookie(EDITION_COOKIE, chosen["name"], max_age=365 * 24 * 3600, samesite="lax", httponly=True,
                        secure=bool(request.app.state.settings.cookie_secure))
    return response
