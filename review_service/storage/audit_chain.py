"""The audit trail: append-only, each record chained to the one before by SHA-256 and signed with an HMAC.

A record's hash covers a canonical JSON of its fields (when, who, action, object, detail, before, after) and the
previous record's hash, so changing a value, swapping two records or deleting one breaks the chain at that
record. Since migration 0006 each record also carries its position (``seq``) and an HMAC-SHA256 of its position
and the same canonical JSON under a key kept outside the database (:mod:`.audit_anchor`): without the key nobody
can re-chain the log after an edit or append a record that verifies. This module has no update or delete; on
PostgreSQL and SQLite triggers refuse them too (migration 0003). Appends are serialised — SQLite: the write
transaction already holds the database's write lock (``BEGIN IMMEDIATE``); PostgreSQL: a transaction-scoped
advisory lock — so two writers never fork the chain (and a unique index on ``seq`` refuses a fork anyway).
:mod:`.audit_verify` checks all of it.
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Protocol

import sqlalchemy as sa

from review_service.core.errors import AuditKeyError
from review_service.storage import tables as t

GENESIS = "0" * 64
HASHED = ("at", "actor", "action", "subject", "detail", "before", "after")
HEAD = "review_service.audit_head"  # Connection.info key: the head this transaction appended (seq, id, hash)
_CHAIN_LOCK = 0x61756474  # "audt": held by the transaction appending to the chain (PostgreSQL)


class Signer(Protocol):
    """The audit key as the chain sees it (:class:`.audit_anchor.AuditKey`)."""

    key_id: str

    def sign(self, seq: int, canonical: str) -> str: ...


@dataclass(frozen=True)
class Head:
    seq: int
    id: int
    hash: str


def _json(value: Any) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


def canonical(row: dict[str, Any], prev_hash: str) -> str:
    """The record's fields as stored (text) and the previous hash, as one canonical JSON (v1)."""
    body = {k: row.get(k) for k in HASHED}
    body["prev_hash"] = prev_hash
    return json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def record_hash(row: dict[str, Any], prev_hash: str) -> str:
    """SHA-256 of :func:`canonical`."""
    return hashlib.sha256(canonical(row, prev_hash).encode("utf-8")).hexdigest()


def append(conn: sa.Connection, *, at: str, actor: str, action: str, subject: str, detail: Any = None,
           before: Any = None, after: Any = None, signer: Signer | None = None) -> str:
    """Add one record at the end of the chain, inside the caller's write transaction; its hash.

    With ``signer`` the record is signed; without one (a ``Database`` opened by URL alone, as tests and the
    pre-anchor migrations do) it is not, which is refused once the chain holds signed records: an unsigned
    record after them would read as forged."""
    if conn.dialect.name == "postgresql":
        conn.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": _CHAIN_LOCK})
    c = t.audit_log.c
    last = conn.execute(sa.select(c.hash, c.seq, c.key_id).order_by(c.id.desc()).limit(1)).mappings().first()
    prev = last["hash"] if last else GENESIS
    if last is not None and last["key_id"] is not None:
        if signer is None:
            raise AuditKeyError("this database's audit log is signed, but it was opened without the audit key",
                              hint="open it with storage.open_database(settings), which loads the key")
        if signer.key_id != last["key_id"]:
            raise AuditKeyError(f"the audit key in use (id {signer.key_id}) is not the one that signed the log "
                              f"(id {last['key_id']}); appending would break the chain",
                              hint="restore the audit key file from a backup, or set REVIEW_AUDIT_KEY to the key "
                                   "the other servers use (docs/jury.md, 'Audit trail')")
    seq = int(last["seq"] or 0) + 1 if last else 1
    row = {"at": at, "actor": actor, "action": action, "subject": subject, "detail": _json(detail or {}),
           "before": _json(before), "after": _json(after)}
    text = canonical(row, prev)
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    mac = signer.sign(seq, text) if signer is not None else None
    new_id = conn.execute(t.audit_log.insert().values(**row, prev_hash=prev, hash=digest, seq=seq, mac=mac,
                                                      key_id=signer.key_id if signer else None)
                          .returning(c.id)).scalar_one()
    if signer is not None:
        conn.info[HEAD] = Head(seq, int(new_id), digest)  # the checkpoint is written once this commits
    return digest


def rows(conn: sa.Connection, batch: int = 5000) -> Iterator[dict[str, Any]]:
    """Every record in id order, read ``batch`` at a time."""
    c = t.audit_log.c
    last_id = None
    while True:
        query = sa.select(t.audit_log).order_by(c.id).limit(batch)
        if last_id is not None:
            query = query.where(c.id > last_id)
        found = [dict(r) for r in conn.execute(query).mappings()]
        if not found:
            return
        yield from found
        last_id = found[-1]["id"]


def has_signed(conn: sa.Connection) -> bool:
    """Whether any record is signed (then the key that signed it is needed to go on)."""
    c = t.audit_log.c
    return conn.execute(sa.select(c.id).where(c.key_id.is_not(None)).limit(1)).first() is not None


def page(engine: sa.Engine, *, subject: str | None = None, offset: int = 0, limit: int = 100
         ) -> tuple[list[dict], int]:
    """One page of the log (oldest first) and the total count."""
    c = t.audit_log.c
    query = sa.select(t.audit_log)
    count = sa.select(sa.func.count()).select_from(t.audit_log)
    if subject is not None:
        query, count = query.where(c.subject == subject), count.where(c.subject == subject)
    with engine.connect() as conn:
        found = [dict(r) for r in conn.execute(query.order_by(c.id).offset(offset).limit(limit)).mappings()]
        total = int(conn.execute(count).scalar() or 0)
    return found, total
