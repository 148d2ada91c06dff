"""Engines for the two supported back ends: SQLite (default, one file, WAL) and PostgreSQL (psycopg 3).

SQLite: each connection uses WAL and waits up to 30 s for a lock; a write transaction starts with ``BEGIN
IMMEDIATE`` (``write=True``), so two writers queue instead of failing on a lock upgrade, while readers never
block. PostgreSQL: the URL as given (``postgresql+psycopg://user:pass@host:port/db``), pooled, pre-pinged.
"""
from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import make_url

from review_service.core.errors import ConfigError

SUPPORTED = {"sqlite": "sqlite:///path/to/review.db", "postgresql": "postgresql+psycopg://user:password@host:5432/db"}


def make_engine(url: str) -> sa.Engine:
    try:
        parsed = make_url(url)
    except Exception as exc:
        raise ConfigError(f"cannot read the database URL {url!r} ({exc})", hint=_hint()) from exc
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        return _sqlite(parsed)
    if backend == "postgresql":
        if parsed.drivername not in ("postgresql", "postgresql+psycopg"):
            raise ConfigError(f"unsupported PostgreSQL driver {parsed.drivername!r}",
                              hint="use postgresql+psycopg://… (psycopg 3 is installed)")
        return sa.create_engine(parsed.set(drivername="postgresql+psycopg"), pool_pre_ping=True, pool_size=10,
                                max_overflow=20)
    raise ConfigError(f"unsupported database URL {url!r}", hint=_hint())


def _hint() -> str:
    return "set REVIEW_DATABASE_URL to " + " or ".join(SUPPORTED.values())


def _sqlite(url: sa.URL) -> sa.Engine:
    if url.database and url.database != ":memory:":
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)
    engine = sa.create_engine(url, connect_args={"timeout": 30, "check_same_thread": False},
                              pool_size=10, max_overflow=20)

    @sa.event.listens_for(engine, "connect")
    def _connect(dbapi_connection, _record) -> None:
        dbapi_connection.isolation_level = None  # let SQLAlchemy's BEGIN below start every transaction
        for pragma in ("journal_mode=WAL", "foreign_keys=ON", "synchronous=NORMAL", "busy_timeout=30000"):
            dbapi_connection.execute(f"PRAGMA {pragma}")

    @sa.event.listens_for(engine, "begin")
    def _begin(conn: sa.Connection) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get("write") else "BEGIN")

    return engine
