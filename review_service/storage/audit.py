"""The audit trail: append-only, each record chained to the one before by SHA-256.

A record's hash covers a canonical JSON of its fields (when, who, action, object, detail, before, after) and the
previous record's hash, so changing a value, swapping two records or deleting one breaks the chain at that
record; :func:`verify` walks it and names the first broken record. This module has no update or delete; on
PostgreSQL and SQLite triggers refuse them too (migration 0003). Appends are serialised — SQLite: the write
transaction already holds the database's write lock (``BEGIN IMMEDIATE``); PostgreSQL: a transaction-scoped
advisory lock — so two writers never fork the chain.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from . import tables as t

GENESIS = "0" * 64
HASHED = ("at", "actor", "action", "subject", "detail", "before", "after")
_CHAIN_LOCK = 0x61756474  # "audt": held by the transaction appending to the chain (PostgreSQL)


def _json(value: Any) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


def record_hash(row: dict[str, Any], prev_hash: str) -> str:
    """SHA-256 of the record's fields as stored (text) and the previous hash; a canonical JSON (v1)."""
    body = {k: row.get(k) for k in HASHED}
    body["prev_hash"] = prev_hash
    canonical = json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def append(conn: sa.Connection, *, at: str, actor: str, action: str, subject: str, detail: Any = None,
           before: Any = None, after: Any = None) -> str:
    """Add one record at the end of the chain, inside the caller's write transaction; its hash."""
    if conn.dialect.name == "postgresql":
        conn.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": _CHAIN_LOCK})
    c = t.audit_log.c
    prev = conn.execute(sa.select(c.hash).order_by(c.id.desc()).limit(1)).scalar() or GENESIS
    row = {"at": at, "actor": actor, "action": action, "subject": subject, "detail": _json(detail or {}),
           "before": _json(before), "after": _json(after)}
    digest = record_hash(row, prev)
    conn.execute(t.audit_log.insert().values(**row, prev_hash=prev, hash=digest))
    return digest


@dataclass(frozen=True)
class ChainReport:
    records: int
    broken_id: int | None = None  # the first record whose hash or link does not hold
    reason: str = ""

    @property
    def intact(self) -> bool:
        return self.broken_id is None


def verify(engine: sa.Engine, batch: int = 5000) -> ChainReport:
    """Walk the chain in id order; the first record whose link or hash does not hold is named."""
    c = t.audit_log.c
    prev, count, last_id = GENESIS, 0, None
    with engine.connect() as conn:
        while True:
            query = sa.select(t.audit_log).order_by(c.id).limit(batch)
            if last_id is not None:
                query = query.where(c.id > last_id)
            rows = list(conn.execute(query).mappings())
            if not rows:
                return ChainReport(count)
            for row in rows:
                count += 1
                if row["prev_hash"] != prev:
                    why = ("it does not follow the record before it (a record before it was deleted, inserted "
                           "or moved)")
                    return ChainReport(count, row["id"], why)
                if record_hash(dict(row), prev) != row["hash"]:
                    return ChainReport(count, row["id"], "its content does not match its hash (changed)")
                prev, last_id = row["hash"], row["id"]


def page(engine: sa.Engine, *, subject: str | None = None, offset: int = 0, limit: int = 100
         ) -> tuple[list[dict], int]:
    """One page of the log (oldest first) and the total count."""
    c = t.audit_log.c
    query = sa.select(t.audit_log)
    count = sa.select(sa.func.count()).select_from(t.audit_log)
    if subject is not None:
        query, count = query.where(c.subject == subject), count.where(c.subject == subject)
    with engine.connect() as conn:
        rows = [dict(r) for r in conn.execute(query.order_by(c.id).offset(offset).limit(limit)).mappings()]
        total = int(conn.execute(count).scalar() or 0)
    return rows, total
