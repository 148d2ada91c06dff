"""Who is signed in on a page, and the checks every page makes: sign-in (else 303 to /login), the role
(``review_service.contest.permissions``, else a 403 page) and CSRF on every POST (else a 403 page).

Pages use the same session token as the API (the HttpOnly ``review_session`` cookie, see
:mod:`review_service.contest.accounts`) and the same permission rules; nothing here decides who may do what.
"""
from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import Depends, Form, Request

from review_service.contest import accounts as people
from review_service.contest import permissions
from review_service.contest.accounts import Principal
from review_service.core.errors import ReviewError

from .render import csrf_ok


class SignInNeeded(Exception):
    """A page needs a signed-in person: answered with 303 to /login?next=…"""

    def __init__(self, next_path: str) -> None:
        self.next_path = next_path


class PageError(Exception):
    """A page that cannot be shown (403, 404, 409 …): answered with a translated error page."""

    def __init__(self, status: int, message: str, detail: str = "") -> None:
        self.status, self.message, self.detail = status, message, detail


def current_user(request: Request) -> Principal | None:
    token = request.cookies.get(people.COOKIE)
    if not token:
        return None
    try:
        return people.authenticate(request.app.state.db, token)
    except ReviewError:
        return None


def login_url(request: Request) -> str:
    path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return "/login?next=" + quote(path, safe="/")


class PageUser:
    """``Depends(PageUser("entries.read"))``: the signed-in person, if their role may take the action."""

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


def page_user(action: str):
    return Annotated[Principal, Depends(PageUser(action))]


def check_csrf(request: Request, csrf_token: Annotated[str | None, Form()] = None) -> None:
    """Every page POST: the form's ``csrf_token`` (or the ``X-CSRF-Token`` header) must match the cookie."""
    sent = csrf_token or request.headers.get("x-csrf-token")
    if not csrf_ok(request, sent):
        raise PageError(403, "csrf")


Csrf = Depends(check_csrf)
