"""Dependencies shared by the API and the pages: settings, database, the renderer and search engine the lifespan
made, the client's address, and the signed-in person (as the FastAPI template's ``api/deps.py``).

A route says who may call it with ``who: Annotated[Principal, user("action")]`` (API) or
``who: Annotated[Principal, page_user("action")]`` (pages): both sign the caller in and check the role against
:data:`review_service.contest.permissions.RULES`; they differ only in how they refuse — the API with 401 / 403
problem+json, a page with 303 to /login or a translated 403 page. Object-level checks (which entry a juror may
see) are made by ``permissions.entry_for`` inside the route.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import Depends, Form, Path, Query, Request
from fastapi.security import OAuth2PasswordBearer
from starlette.concurrency import run_in_threadpool

from review_service.contest import editions, permissions
from review_service.contest.accounts import COOKIE, Principal, authenticate
from review_service.core.config import Settings, for_edition
from review_service.core.errors import PermissionDenied, ReviewError
from review_service.intake.renditions import LazyRenderer
from review_service.search.engine import SearchEngine
from review_service.server.csrf import csrf_ok
from review_service.server.page_errors import PageError, SignInNeeded
from review_service.storage import Database, edition_scope

bearer = OAuth2PasswordBearer(tokenUrl="/auth/token", auto_error=False,
                              description="POST /auth/token (username, password) gives a bearer token; pages "
                                          "send the same token as the review_session cookie.")


# -- what the lifespan made (create_app) -------------------------------------------------------------------------
def get_app_settings(request: Request) -> Settings:
    """The settings, with the request's edition's own set-up (deadlines, blind review …; ``core.config.for_edition``)."""
    return for_edition(request.app.state.settings, getattr(request.state, "edition", None))


def get_db(request: Request) -> Database:
    return request.app.state.db


def get_renderer(request: Request) -> LazyRenderer:
    """DOCX/PPTX → PDF renditions of an older batch's originals, made in the background."""
    return request.app.state.renderer


def get_search_engine(request: Request) -> Callable[[], SearchEngine]:
    """The search engine over past projects, built at its first call (not for a request that never searches)."""
    return request.app.state.search_engine


def client_address(request: Request) -> str:
    """The address the sign-in back-off counts per client: the peer's IP as the server sees it (behind a reverse
    proxy, the proxy's; no forwarded header is trusted)."""
    return request.client.host if request.client else "unknown"


# -- the signed-in person: API ------------------------------------------------------------------------------------
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def session_token(request: Request, token: Annotated[str | None, Depends(bearer)]) -> str | None:
    """The bearer token, else the session cookie. A write that signs in with the cookie (a page's fetch) must
    also carry the page's CSRF token in ``X-CSRF-Token`` (double submit: it equals the ``csrf`` cookie); 403
    otherwise. Bearer clients are not exposed to CSRF and need nothing more."""
    if token:
        return token
    cookie = request.cookies.get(COOKIE)
    if cookie and request.method not in SAFE_METHODS and not csrf_ok(request, request.headers.get("x-csrf-token")):
        raise PermissionDenied("a request signed in by the session cookie needs the page's X-CSRF-Token",
                               hint="send the token from <meta name=\"csrf-token\"> (pages do), or a bearer token")
    return cookie


def signed_in(request: Request, token: Annotated[str | None, Depends(session_token)]) -> Principal:
    """The person the bearer token or session cookie belongs to (401 ``Unauthorized`` otherwise)."""
    return authenticate(get_db(request), token)


class Allowed:
    """``Depends(Allowed("entries.read"))``: the signed-in person, if their role may take the action."""

    def __init__(self, action: str) -> None:
        if action not in permissions.RULES:
            raise KeyError(f"unknown action {action!r}")
        self.action = action

    def __call__(self, principal: Annotated[Principal, Depends(signed_in)]) -> Principal:
        return permissions.require(principal, self.action)


def user(action: str) -> Any:
    """``who: Annotated[Principal, user("results.read")]``: an API route's signed-in person (401 / 403
    problem+json otherwise)."""
    return Depends(Allowed(action))


# -- the edition a request works in --------------------------------------------------------------------------------
EDITION_COOKIE = "review_edition"
"""The edition an organizer switched to on the pages (``POST /account/edition``); ``?edition=NAME`` wins over it."""


def _caller(request: Request) -> Principal | None:
    token = request.headers.get("authorization", "").removeprefix("Bearer ").strip() or request.cookies.get(COOKIE)
    try:
        return authenticate(get_db(request), token) if token else None
    except ReviewError:
        return None  # the route's own sign-in check answers


def _request_edition(request: Request) -> dict:
    db, settings = get_db(request), request.app.state.settings
    asked = request.query_params.get("edition")
    if asked:  # named: it must exist (404), and a juror must be on its jury (403)
        return editions.chosen(db, settings, asked, _caller(request))
    remembered = request.cookies.get(EDITION_COOKIE)
    if remembered:
        try:
            return editions.chosen(db, settings, remembered, _caller(request))
        except ReviewError:
            pass  # an edition renamed or gone, or not the caller's: the current one
    return editions.chosen(db, settings, None)


async def in_edition(request: Request) -> None:
    """Every request (an app-wide dependency): the edition it works in — ``?edition=NAME``, else the edition
    cookie, else ``REVIEW_EDITION``, else the oldest edition not closed — set for the stores
    (``storage.edition_scope``) and as ``request.state.edition``. Set here, in the request's task, so the route
    (run in a worker thread with a copy of this context) sees it."""
    edition = await run_in_threadpool(_request_edition, request)
    request.state.edition = edition
    edition_scope.enter(int(edition["id"]))


# -- the signed-in person: pages ----------------------------------------------------------------------------------
def current_user(request: Request) -> Principal | None:
    """The person the session cookie belongs to; None when signed out (or the session ended)."""
    token = request.cookies.get(COOKIE)
    if not token:
        return None
    try:
        return authenticate(get_db(request), token)
    except ReviewError:
        return None


def login_url(request: Request) -> str:
    path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return "/login?next=" + quote(path, safe="/")


class PageUser:
    """``Depends(PageUser("entries.read"))``: the signed-in person, if their role may take the action; else 303 to
    /login (:class:`SignInNeeded`) or the 403 page (:class:`PageError`)."""

    def __init__(self, action: str) -> None:
        if action not in permissions.RULES:
            raise KeyError(f"unknown action {action!r}")
        self.action = action

    def __call__(self, request: Request) -> Principal:
        who = current_user(request)
        if who is None:
            raise SignInNeeded(login_url(request))
        if not permissions.allowed(who, self.action):
            raise PageError(403, "forbidden")
        request.state.user = who
        return who


def page_user(action: str) -> Any:
    """``who: Annotated[Principal, page_user("entries.read")]``: a page's signed-in person (303 to /login or a
    403 page otherwise)."""
    return Depends(PageUser(action))


def check_csrf(request: Request, csrf_token: Annotated[str | None, Form()] = None) -> None:
    """Every page POST: the form's ``csrf_token`` (or the ``X-CSRF-Token`` header) must match the cookie."""
    sent = csrf_token or request.headers.get("x-csrf-token")
    if not csrf_ok(request, sent):
        raise PageError(403, "csrf")


Csrf = Depends(check_csrf)
"""``dependencies=[Csrf]`` on a page POST that has no other use for the check."""


# -- parameters ---------------------------------------------------------------------------------------------------
DB_INT_MAX = 2**31 - 1
"""The largest id the database's integer columns hold on every back end (PostgreSQL ``integer``)."""
RowId = Annotated[int, Path(ge=1, le=DB_INT_MAX, description="a row id (1 … 2147483647)")]


def paging(offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
           limit: Annotated[int, Query(ge=1, le=500)] = 100) -> tuple[int, int]:
    return offset, limit


SettingsDep = Annotated[Settings, Depends(get_app_settings)]
DbDep = Annotated[Database, Depends(get_db)]
RendererDep = Annotated[LazyRenderer, Depends(get_renderer)]
SearchEngineDep = Annotated[Callable[[], SearchEngine], Depends(get_search_engine)]
"""The search engine's getter: ``engine()`` builds it at the first call, then gives the same one."""
ClientDep = Annotated[str, Depends(client_address)]
TokenDep = Annotated[str | None, Depends(session_token)]
PagingDep = Annotated[tuple[int, int], Depends(paging)]
CsrfDep = Annotated[None, Csrf]
"""``_csrf: CsrfDep`` on every page POST (after ``who``): a form from elsewhere is refused with a 403 page."""
