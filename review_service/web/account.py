"""A signed-in person's own account: changing their password (``GET``/``POST /account/password``).

The same rules as every password (``credentials.check_password``: length, not common, not simple, not the login
or name), each refusal shown translated (:func:`password_problem`, also used by the administrators' forms); the
current password must be given, under the sign-in back-off (429 with ``Retry-After`` after repeated wrong ones);
the person's other sessions end, this one goes on (``people.change_password``, audited as ``password_changed``
without the password). After an administrator set a temporary password (``password_reset``), the sign-in leads
here first (``people.must_change_password``)."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from review_service.contest import accounts as people
from review_service.contest.accounts import Principal
from review_service.contest.credentials import CredentialError, check_password
from review_service.contest.signin_throttle import Policy
from review_service.core.errors import TooManyAttempts, Unauthorized
from review_service.server.deps import ClientDep, CsrfDep, DbDep, SettingsDep, page_user

from .render import marked as _
from .render import page

router = APIRouter(prefix="/account", include_in_schema=False)
Someone = Annotated[Principal, page_user("me")]
PASSWORD = Annotated[str, Form(max_length=1000)]
PASSWORD_PROBLEMS = {  # credentials.CredentialError.code → what the form says
    "password_too_short": _("at least %(n)s characters"),
    "password_too_long": _("at most %(n)s characters"),
    "password_simple": _("too simple: one character or a short pattern repeated, or a run along the alphabet or "
                         "the keyboard"),
    "password_common": _("one of the most common passwords, which are guessed first"),
    "password_personal": _("the login or the name, perhaps with digits or symbols added"),
    "login_invalid": _("one word: Latin letters, digits and . _ @ - only"),
}
THROTTLED = _("Too many wrong passwords. Try again in %(n)s seconds.")


def password_problem(exc: CredentialError) -> tuple[str, dict]:
    """A refused login or password → (the message to translate, its values)."""
    return PASSWORD_PROBLEMS.get(exc.code, _("not valid")), dict(exc.params)


def password_page(request: Request, *, errors: list[dict] | None = None, status_code: int = 200) -> HTMLResponse:
    return page(request, "web/account/password.html", status_code=status_code, errors=errors or [],
                notice=request.query_params.get("notice", ""), min_length=people.MIN_PASSWORD)


@router.get("/password", response_class=HTMLResponse)
def password_form(request: Request, who: Someone) -> HTMLResponse:
    return password_page(request)


def _error(anchor: str, field: str, problem: str, **params) -> dict:
    return {"anchor": anchor, "field": field, "problem": problem, "params": params}


@router.post("/password", response_class=HTMLResponse)
def change_password(request: Request, db: DbDep, settings: SettingsDep, client: ClientDep, who: Someone,
                    _csrf: CsrfDep, current: PASSWORD = "", new: PASSWORD = "", confirm: PASSWORD = ""):
    """Current + new + the new one again; errors on the form (422; 429 while sign-in waits) in the interface
    language."""
    errors, status, headers = [], 422, {}
    try:
        check_password(new, login=who.login, name=who.name)
    except CredentialError as exc:
        problem, values = password_problem(exc)
        errors.append(_error("pw-new", _("new password"), problem, **values))
    if not errors and new != confirm:
        errors.append(_error("pw-confirm", _("new password again"), _("the two new passwords differ")))
    if not errors:
        try:
            people.change_password(db, who, current, new, request.cookies.get(people.COOKIE, ""), client=client,
                                   policy=Policy.from_settings(settings))
        except Unauthorized:
            errors.append(_error("pw-current", _("current password"), _("the current password is wrong")))
        except TooManyAttempts as exc:
            errors.append(_error("pw-current", _("current password"), THROTTLED, n=exc.retry_after))
            status, headers = 429, {"Retry-After": str(exc.retry_after)}
    if errors:
        response = password_page(request, errors=errors, status_code=status)
        response.headers.update(headers)
        return response
    return RedirectResponse("/account/password?notice=changed", status_code=303)
