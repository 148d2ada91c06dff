"""The CSRF token of pages and of cookie-signed API writes (double submit: the ``csrf`` cookie and the form's
``csrf_token`` field or the ``X-CSRF-Token`` header must be equal)."""
from __future__ import annotations

import secrets

from fastapi import Request

CSRF_COOKIE = "csrf"


def csrf_token(request: Request) -> str:
    """The request's CSRF token (double-submit: the cookie and the form field or X-CSRF-Token must match)."""
    token = request.cookies.get(CSRF_COOKIE) or getattr(request.state, "csrf", None)
    if not token:
        token = secrets.token_urlsafe(32)
        request.state.csrf = token
    return token


def csrf_ok(request: Request, sent: str | None) -> bool:
    expected = request.cookies.get(CSRF_COOKIE)
    return bool(expected and sent and secrets.compare_digest(expected, sent))
