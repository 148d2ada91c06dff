"""A signed-in person's own account: changing their password (``GET``/``POST /account/password``).

The same rule as every password (``people.hash_password``: at least ``people.MIN_PASSWORD`` characters); the
current password must be given; the person's other sessions end, this one goes on (``people.change_password``,
audited as ``password_changed`` without the password). After an administrator set a temporary password
(``password_reset``), the sign-in leads here first (``people.must_change_password``)."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from review_service import people
from review_service.errors import InputError, Unauthorized

from .render import marked as _
from .render import page
from .session import Csrf, page_user

router = APIRouter(prefix="/account", include_in_schema=False)
Someone = page_user("me")
CsrfOk = Annotated[None, Csrf]
PASSWORD = Annotated[str, Form(max_length=1000)]


def password_page(request: Request, *, errors: list[dict] | None = None, status_code: int = 200) -> HTMLResponse:
    return page(request, "web/account/password.html", status_code=status_code, errors=errors or [],
                notice=request.query_params.get("notice", ""), min_length=people.MIN_PASSWORD)


@router.get("/password", response_class=HTMLResponse)
def password_form(request: Request, who: Someone) -> HTMLResponse:
    return password_page(request)


def _error(anchor: str, field: str, problem: str, **params) -> dict:
    return {"anchor": anchor, "field": field, "problem": problem, "params": params}


@router.post("/password", response_class=HTMLResponse)
def change_password(request: Request, who: Someone, _csrf: CsrfOk, current: PASSWORD = "", new: PASSWORD = "",
                    confirm: PASSWORD = ""):
    """Current + new + the new one again; errors on the form (422) in the interface language."""
    errors = []
    if len(new) < people.MIN_PASSWORD:
        errors.append(_error("pw-new", _("new password"), _("at least %(n)s characters"), n=people.MIN_PASSWORD))
    elif new != confirm:
        errors.append(_error("pw-confirm", _("new password again"), _("the two new passwords differ")))
    if not errors:
        try:
            people.change_password(request.app.state.db, who, current, new, request.cookies.get(people.COOKIE, ""))
        except Unauthorized:
            errors.append(_error("pw-current", _("current password"), _("the current password is wrong")))
        except InputError as exc:  # the password rule (people.hash_password), should it grow
            errors.append(_error("pw-new", _("new password"), _("Not changed: %(detail)s"), detail=exc.message))
    if errors:
        return password_page(request, errors=errors, status_code=422)
    return RedirectResponse("/account/password?notice=changed", status_code=303)
