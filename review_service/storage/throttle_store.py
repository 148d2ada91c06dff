"""The sign-in throttle's rows (``signin_throttle``, migration 0007): one per account and per client address with
recent wrong passwords. The policy (how many, how long) is :mod:`review_service.contest.signin_throttle`; this module only reads
and writes rows, each change in one transaction with its audit record, so several server processes on one
database share the same counts."""
from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import sqlalchemy as sa

from review_service.storage import tables as t
from review_service.storage.db import Database

_T = t.signin_throttle.c
Step = Callable[[str, dict | None], dict | None]
AuditFor = Callable[[dict[str, dict | None]], dict[str, Any] | None]


class ThrottleStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    def rows(self, keys: Sequence[str]) -> dict[str, dict]:
        found = self.db.query_rows(sa.select(t.signin_throttle).where(_T.key.in_(list(keys))))
        return {r["key"]: dict(r) for r in found}

    def change(self, keys: Sequence[str], step: Step, audit: AuditFor | None = None) -> dict[str, dict | None]:
        """In one transaction: each key's row (locked on PostgreSQL) replaced by ``step(key, row)`` (None deletes
        it), then the audit record ``audit(new rows)`` returns, if any. The new rows by key."""
        out: dict[str, dict | None] = {}
        with self.db.transaction() as conn:
            current = {r["key"]: dict(r) for r in conn.execute(
                sa.select(t.signin_throttle).where(_T.key.in_(list(keys))).with_for_update()).mappings()}
            for key in keys:
                new = step(key, current.get(key))
                if new is None:
                    if key in current:
                        conn.execute(t.signin_throttle.delete().where(_T.key == key))
                else:
                    values = {k: new.get(k) for k in ("failures", "last_failure", "locked_until", "refused")}
                    self.db.upsert(conn, t.signin_throttle, [{"key": key, **values}], ["key"], list(values))
                out[key] = new
            record = audit(out) if audit else None
            if record:
                self.db.append_audit(conn, **record)
        return out
