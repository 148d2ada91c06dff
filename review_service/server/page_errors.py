"""The two answers only pages give (installed by :func:`review_service.web.pages.install`): 303 to the sign-in
page, and a translated error page. The API answers the same failures with application/problem+json."""
from __future__ import annotations


class SignInNeeded(Exception):
    """A page needs a signed-in person: answered with 303 to /login?next=…"""

    def __init__(self, next_path: str) -> None:
        self.next_path = next_path


class PageError(Exception):
    """A page that cannot be shown (403, 404, 409 …): answered with a translated error page."""

    def __init__(self, status: int, message: str, detail: str = "") -> None:
        self.status, self.message, self.detail = status, message, detail
