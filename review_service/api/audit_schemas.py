"""The audit trail at the API boundary: its records and the chain check."""
from __future__ import annotations

from typing import Any

from pydantic import BaseModel


class AuditRecord(BaseModel):
    id: int
    at: str
    actor: str
    action: str
    subject: str
    detail: Any
    before: Any
    after: Any
    prev_hash: str
    hash: str


class AuditProblemOut(BaseModel):
    kind: str
    """chain_link, hash_mismatch, seq_mismatch, unsigned, wrong_key, hmac_mismatch, key_missing,
    checkpoint_missing, checkpoint_invalid, tail_deleted, checkpoint_mismatch, table_edited, row_unlogged,
    row_missing"""
    reason: str
    record: int | None
    """The audit record concerned; for a table row, the last record about it."""
    table: str | None
    row: str | None


class ChainOut(BaseModel):
    intact: bool
    records: int
    broken_id: int | None
    """The first problem's record."""
    reason: str
    """The first problem, in words."""
    legacy: int
    """Records 1..legacy were written before the anchor and carry no HMAC."""
    signed: int
    key_id: str | None
    checkpoint: str
    """ok | behind | missing | invalid | none (nothing signed yet) | unchecked (no key)"""
    checkpoint_records: int | None
    head_id: int | None
    head_hash: str | None
    problems: list[AuditProblemOut]
    warnings: list[AuditProblemOut]
