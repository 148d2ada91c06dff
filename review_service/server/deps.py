"""Dependencies: settings, database, and the signed-in person (Bearer token or the session cookie).

``Allowed("action")`` is the one dependency a route uses to say who may call it: it signs the caller in (401
without valid credentials) and checks the role against :data:`review_service.contest.permissions.RULES` (403).
Object-level checks (which entry a juror may see) are made by ``permissions.entry_for`` inside the route.
"""
from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Path, Query, Request
from fastapi.security import OAuth2PasswordBearer

from review_service.contest import permissions
from review_service.contest.accounts import COOKIE, Principal, authenticate
from review_service.core.config import Settings
from review_service.core.errors import PermissionDenied
from review_service.storage import Database

bearer = OAuth2PasswordBearer(tokenUrl="/auth/token", auto_error=False,
                              description="POST /auth/token (username, password) gives a bearer token; pages "
                                          "send the same token as the review_session cookie.")


def _settings(request: Request) -> Settings:
    return request.app.state.settings


def _db(request: Request) -> Database:
    return request.app.state.db


SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def session_token(request: Request, token: Annotated[str | None, Depends(bearer)]) -> str | None:
    """The bearer token, else the session cookie. A write that signs in with the cookie (a page's fetch) must
    also carry the page's CSRF token in ``X-CSRF-Token`` (double submit: it equals the ``csrf`` cookie); 403
    otherwise. Bearer clients are not exposed to CSRF and need nothing more."""
    if token:
        return token
    cookie = request.cookies.get(COOKIE)
    if cookie and request.method not in SAFE_METHODS:
        from review_service.web.render import csrf_ok

        if not csrf_ok(request, request.headers.get("x-csrf-token")):
            raise PermissionDenied("a request signed in by the session cookie needs the page's X-CSRF-Token",
                                   hint="send the token from <meta name=\"csrf-token\"> (pages do), or a bearer token")
    return cookie


def _principal(request: Request, token: Annotated[str | None, Depends(session_token)]) -> Principal:
    return authenticate(request.app.state.db, token)


class Allowed:
    """``Depends(Allowed("entries.read"))``: the signed-in person, if their role may take the action."""

    def __init__(self, action: str) -> None:
        if action not in permissions.RULES:
            raise KeyError(f"unknown action {action!r}")
        self.action = action

    def __call__(self, principal: Annotated[Principal, Depends(_principal)]) -> Principal:
        return permissions.require(principal, self.action)


def user(action: str):
    """``Annotated[Principal, Depends(Allowed(action))]``: a route parameter for the signed-in person."""
    return Annotated[Principal, Depends(Allowed(action))]


DB_INT_MAX = 2**31 - 1
"""The largest id the database's integer columns hold on every back end (PostgreSQL ``integer``)."""
RowId = Annotated[int, Path(ge=1, le=DB_INT_MAX, description="a row id (1 … 2147483647)")]


def _paging(offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
            limit: Annotated[int, Query(ge=1, le=500)] = 100) -> tuple[int, int]:
    return offset, limit


SettingsDep = Annotated[Settings, Depends(_settings)]
DbDep = Annotated[Database, Depends(_db)]
TokenDep = Annotated[str | None, Depends(session_token)]
PagingDep = Annotated[tuple[int, int], Depends(_paging)]
