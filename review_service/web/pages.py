"""Pages: the front door, sign-in and sign-out, error pages. Public: ``GET /login`` and static files.

Role pages live in :mod:`review_service.web.juror` (a juror's entries, scoring), :mod:`review_service.web.account`
(one's own password) and the organizer's modules by subject — ``org_dashboard``, ``org_batches``,
``org_prescreen``, ``org_duplicates``, ``org_assignment``, ``org_results``, ``org_audit``, ``org_search``,
``org_people``, ``org_rubric``, ``org_themes``; originals are served by :mod:`review_service.web.originals`. See
docs/pages.md.
"""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, FastAPI, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from review_service.contest import accounts as people
from review_service.contest.signin_throttle import Policy
from review_service.core.errors import TooManyAttempts, Unauthorized
from review_service.server.deps import ClientDep, Csrf, DbDep, SettingsDep, current_user
from review_service.server.page_errors import PageError, SignInNeeded

from . import (
    account,
    edition_switch,
    juror,
    org_assignment,
    org_audit,
    org_batches,
    org_dashboard,
    org_duplicates,
    org_people,
    org_prescreen,
    org_progress,
    org_results,
    org_rubric,
    org_search,
    org_themes,
)
from . import originals as files
from .render import language, page
from .render import marked as _

router = APIRouter(include_in_schema=False)
ORGANIZER_PAGES = (org_dashboard, org_batches, org_prescreen, org_duplicates, org_assignment, org_progress,
                   org_results, org_audit, org_search, org_people, org_rubric, org_themes)
"""The organizer's pages by subject, in the order of the flow (each module's router under ``/org``)."""
HOMES = {"juror": "/my", "organizer": "/org", "admin": "/org"}
ERRORS = {  # status → the message shown (translated in web/error.html)
    "forbidden": _("You may not open this page with your role."),
    "csrf": _("The form expired or came from another site. Reload the page and try again."),
    "not_found": _("There is no such page, or it is not yours to see."),
    "conflict": _("This was changed meanwhile. Reload the page and try again."),
    "uploads_removed": _("The uploaded files of this batch were removed when it was stopped. Start a new batch "
                         "with the files: what was read before is reused."),
}


def safe_next(value: str | None) -> str:
    """Only same-site paths: ``/x`` but never ``//host`` or ``/\\host``."""
    value = value or "/"
    ok = value.startswith("/") and not value.startswith("//") and "\\" not in value and "\n" not in value
    return value if ok else "/"


def _home(request: Request) -> str:
    who = current_user(request)
    return HOMES.get(who.role, "/login") if who else "/login"


@router.get("/", response_class=RedirectResponse)
def front_door(request: Request) -> RedirectResponse:
    """Signed out: to the sign-in page (keeping ``?lang=``); signed in: to the role's home."""
    lang = request.query_params.get("lang")
    home = _home(request)
    return RedirectResponse(f"{home}?lang={lang}" if lang else home, status_code=303)


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, next_page: Annotated[str, Query(alias="next")] = "/") -> HTMLResponse:
    return page(request, "web/login.html", next=safe_next(next_page), username="", error="")


@router.post("/login", response_class=HTMLResponse, dependencies=[Csrf])
def login(request: Request, db: DbDep, settings: SettingsDep, client: ClientDep,
          username: Annotated[str, Form(max_length=200)] = "",
          password: Annotated[str, Form(max_length=1000)] = "",
          next_page: Annotated[str, Form(alias="next")] = "/"):
    """Sign in through the same people module as ``POST /auth/token``; the session cookie is HttpOnly,
    SameSite=Lax (Secure when REVIEW_COOKIE_SECURE, by default in production). A wrong login or password: the
    form again, with one message for both; after repeated ones, 429 with ``Retry-After`` and the wait in the
    interface language (``people.sign_in``).
    After an administrator set a temporary password, to the password form instead of ``next``."""
    try:
        token = people.sign_in(db, username, password, hours=settings.session_hours, client=client,
                               policy=Policy.from_settings(settings))
    except Unauthorized:
        return page(request, "web/login.html", status_code=401, next=safe_next(next_page), username=username,
                    error="wrong")
    except TooManyAttempts as exc:
        refused = page(request, "web/login.html", status_code=429, next=safe_next(next_page), username=username,
                       error="throttled", retry_after=exc.retry_after)
        refused.headers["Retry-After"] = str(exc.retry_after)
        return refused
    people.remember_language(db, username, language(request))  # reminders are written in it
    target = safe_next(next_page)
    if people.must_change_password(db, username.strip()):
        target = "/account/password?notice=temporary"  # a password an administrator set: choose one's own
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(people.COOKIE, token, max_age=int(settings.session_hours * 3600), httponly=True,
                        samesite="lax", secure=bool(settings.cookie_secure))
    return response


@router.post("/logout", dependencies=[Csrf])
def logout(request: Request, db: DbDep) -> RedirectResponse:
    """Revoke this session (if any) and drop the cookie."""
    who = current_user(request)
    if who is not None:
        people.sign_out(db, request.cookies.get(people.COOKIE, ""), who)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(people.COOKIE)
    return response


def install(app: FastAPI) -> None:
    """The page routers and the two page-only answers: 303 to /login, and a translated error page."""
    for router_ in (router, account.router, edition_switch.router, juror.router,
                    *(module.router for module in ORGANIZER_PAGES), files.router):
        app.include_router(router_)

    @app.exception_handler(SignInNeeded)
    async def sign_in_first(_: Request, exc: SignInNeeded) -> RedirectResponse:
        return RedirectResponse(exc.next_path, status_code=303)

    @app.exception_handler(PageError)
    async def page_error(request: Request, exc: PageError) -> HTMLResponse:
        return page(request, "web/error.html", status_code=exc.status, message=ERRORS.get(exc.message, exc.message),
                    detail=exc.detail)
