"""Alembic migrations, run from code: ``upgrade(engine)`` brings any database to the newest schema.

A database made before Alembic (the hand-written runner's ``schema_migrations`` table) is stamped with the
revision it reached, then upgraded like any other, keeping its rows. On PostgreSQL an advisory lock makes two
processes that start together migrate one after the other.
"""
from __future__ import annotations

import logging
from importlib import resources

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

logger = logging.getLogger(__name__)
_LOCK_ID = 0x7265766965  # "revie": the advisory lock held while migrating on PostgreSQL


def _config(connection: sa.Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(resources.files("review_service.storage") / "alembic"))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def head() -> str:
    return ScriptDirectory.from_config(_config()).get_current_head() or ""


def current(engine: sa.Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(engine: sa.Engine, target: str = "head") -> str | None:
    """Apply what is missing; return the revision before (None for a new database)."""
    with engine.connect().execution_options(write=True) as conn:
        if conn.dialect.name == "postgresql":
            conn.exec_driver_sql(f"SELECT pg_advisory_lock({_LOCK_ID})")
            conn.commit()
        try:
            before = MigrationContext.configure(conn).get_current_revision()
            if before is None:
                before = _stamp_legacy(conn)
            if before != head() or target != "head":
                command.upgrade(_config(conn), target)
                conn.commit()
                logger.info("database migrated from %s to %s", before, target)
        finally:
            if conn.dialect.name == "postgresql":
                conn.exec_driver_sql(f"SELECT pg_advisory_unlock({_LOCK_ID})")
                conn.commit()
    return before


def _stamp_legacy(conn: sa.Connection) -> str | None:
    if not sa.inspect(conn).has_table("schema_migrations"):
        return None
    version = conn.exec_driver_sql("SELECT MAX(version) FROM schema_migrations").scalar()
    if not version:
        return None
    revision = f"{int(version):04d}"
    command.stamp(_config(conn), revision)
    conn.commit()
    logger.info("database made by the pre-Alembic runner (schema %s): stamped %s", version, revision)
    return revision
