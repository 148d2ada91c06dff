"""An entry a page may open: :func:`review_service.contest.permissions.entry_for`, and the 404 page otherwise (an
entry outside the person's scope is not said to exist)."""
from __future__ import annotations

from typing import Any

from review_service.contest import permissions
from review_service.contest.accounts import Principal
from review_service.core.errors import ReviewError
from review_service.server.page_errors import PageError
from review_service.storage import Database


def entry_or_404(db: Database, who: Principal, key: str, action: str = "entries.read") -> tuple[str, dict[str, Any]]:
    """The entry id and record ``key`` names, if ``who`` may take ``action`` on it; a 404 page otherwise."""
    try:
        return permissions.entry_for(db, who, key, action)
    except ReviewError as exc:
        raise PageError(404, "not_found") from exc
