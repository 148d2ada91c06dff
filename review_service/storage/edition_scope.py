"""The edition a piece of work acts in: a request's (``server.deps.edition_scope``), a job's (the job runner), a
command's (``--edition``); without one, the current edition — the oldest that is not closed (the year running:
a new edition made while it runs becomes current once it is closed; until then it is named).

The stores read it here, so every query of an edition's tables is filtered by it and every insert carries it,
without each call passing it along. A write checks the edition is not closed (:class:`EditionClosed`, 409).
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

import sqlalchemy as sa

from review_service.core.errors import EditionClosed

from . import tables as t

_SCOPE: ContextVar[int | None] = ContextVar("review_service.edition", default=None)


@contextmanager
def scoped(edition_id: int | None) -> Iterator[None]:
    """Everything inside acts in ``edition_id`` (None: the current edition)."""
    token = _SCOPE.set(edition_id)
    try:
        yield
    finally:
        _SCOPE.reset(token)


def enter(edition_id: int | None) -> None:
    """Set the scope for the rest of this context (a request's task: FastAPI copies it into the route)."""
    _SCOPE.set(edition_id)


def in_scope() -> int | None:
    return _SCOPE.get()


def current(conn: sa.Connection) -> int:
    """The edition in scope, else the oldest edition that is not closed (else the newest of all)."""
    chosen = _SCOPE.get()
    if chosen is not None:
        return chosen
    e = t.editions.c
    found = conn.execute(sa.select(e.id).where(e.state != "closed").order_by(e.id).limit(1)).scalar()
    if found is None:
        found = conn.execute(sa.select(sa.func.max(e.id))).scalar()
    return int(found or 1)


def for_write(conn: sa.Connection) -> int:
    """The edition a write acts in; :class:`EditionClosed` (409) when it is closed."""
    edition_id = current(conn)
    e = t.editions.c
    row = conn.execute(sa.select(e.name, e.state).where(e.id == edition_id)).mappings().first()
    if row is not None and row["state"] == "closed":
        raise EditionClosed(row["name"])
    return edition_id
