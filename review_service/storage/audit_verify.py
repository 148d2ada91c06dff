"""``audit verify``: the chain, its signatures, its checkpoint, and the tables replayed against it.

Checked in this order, each problem named with the first record or row concerned:

1. the chain (storage.audit): each record follows the one before (``prev_hash``), its hash matches its content,
   its ``seq`` is its position;
2. the signatures (storage.audit_anchor): each record after the unsigned legacy ones carries an HMAC under the
   audit key — a record edited and the chain recomputed without the key, or a record appended without it, fails
   here at that record;
3. the checkpoint outside the database: the chain is at least as long as it says and its record at that
   position is the one it names (a deleted tail, a log rewritten up to there); a chain longer than the
   checkpoint is fine when the records beyond are validly signed (commits in flight when it was written);
4. the tables (storage.audit_replay): reviews, scores, decisions, assignments, flag reviews, rubrics, accounts
   and AI drafts equal what replaying the log yields.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import sqlalchemy as sa

from review_service.storage import audit_chain as audit

from .audit_anchor import Anchor, CheckpointRead
from .audit_replay import Replay


@dataclass(frozen=True)
class Problem:
    kind: str  # chain_link | hash_mismatch | seq_mismatch | unsigned | wrong_key | hmac_mismatch | key_missing |
    #            checkpoint_missing | checkpoint_invalid | tail_deleted | checkpoint_mismatch |
    #            head_missing | head_changed |
    #            table_edited | row_unlogged | row_missing
    reason: str
    record: int | None = None  # the audit record concerned (for a table row: the last record about it)
    table: str | None = None
    row: str | None = None


@dataclass(frozen=True)
class AuditReport:
    records: int
    legacy: int = 0  # records 1..legacy were written before the anchor and are not signed
    signed: int = 0
    key_id: str | None = None
    checkpoint: str = "none"  # ok | behind | missing | invalid | none (nothing signed yet) | unchecked (no key)
    checkpoint_records: int | None = None
    head_id: int | None = None  # the last record: write its id and hash down somewhere the server cannot write
    head_hash: str | None = None
    problems: tuple[Problem, ...] = ()
    warnings: tuple[Problem, ...] = ()

    @property
    def intact(self) -> bool:
        return not self.problems

    @property
    def broken_id(self) -> int | None:
        """The first problem's record (for a table row: the last record concerning it)."""
        return self.problems[0].record if self.problems else None

    @property
    def reason(self) -> str:
        return self.problems[0].reason if self.problems else ""

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "intact": self.intact, "broken_id": self.broken_id, "reason": self.reason}


@dataclass
class _Walk:
    anchor: Anchor | None
    position: int = 0
    prev: str = audit.GENESIS
    legacy: int = 0
    signed: int = 0
    last: dict | None = None
    watch_id: int | None = None
    at: dict[int, dict] = field(default_factory=dict)  # the record at the checkpoint's position
    by_id: dict[int, str] = field(default_factory=dict)  # the hash of record ``watch_id``
    problems: list[Problem] = field(default_factory=list)

    def check(self, row: dict, watch: int | None) -> None:
        self.position += 1
        if self.position == watch:
            self.at[watch] = row
        self.last = row
        if row["id"] == self.watch_id:
            self.by_id[row["id"]] = row["hash"]
        if self.problems:  # after the first break the rest of the chain proves nothing more
            return
        rid, text = row["id"], audit.canonical(row, row["prev_hash"])
        if row["prev_hash"] != self.prev:
            self._fail("chain_link", rid, "it does not follow the record before it (a record before it was "
                       "deleted, inserted or moved)")
        elif audit.record_hash(row, row["prev_hash"]) != row["hash"]:
            self._fail("hash_mismatch", rid, "its content does not match its hash (changed)")
        elif row["seq"] is not None and row["seq"] != self.position:
            self._fail("seq_mismatch", rid, f"it says it is record #{row['seq']} of the chain; it is #{self.position}")
        elif row["mac"] is None:
            if self.signed:
                self._fail("unsigned", rid, "it is not signed, though records before it are: appended without "
                           "the audit key (forged) or by a server that did not have it")
            else:
                self.legacy += 1
        else:
            self._signed(row, rid, text)
        self.prev = row["hash"]

    def _signed(self, row: dict, rid: int, text: str) -> None:
        self.signed += 1
        if self.anchor is None:
            self._fail("key_missing", rid, "it is signed, but no audit key was given to check it")
        elif row["key_id"] != self.anchor.key.key_id:
            self._fail("wrong_key", rid, f"it was signed with key {row['key_id']}, not with the key in use "
                       f"({self.anchor.key.key_id}, from {self.anchor.key.source})")
        elif not self.anchor.key.check(self.position, text, row["mac"]):
            self._fail("hmac_mismatch", rid, "its HMAC does not match: changed and the chain recomputed without "
                       "the key, or forged")

    def _fail(self, kind: str, record: int, reason: str) -> None:
        self.problems.append(Problem(kind, reason, record))


def _checkpoint(walk: _Walk, read: CheckpointRead | None) -> tuple[str, int | None, list[Problem]]:
    if read is None:
        return "unchecked", None, []
    if read.state == "missing":
        if not walk.signed:
            return "none", None, []
        return "missing", None, [Problem("checkpoint_missing", f"{read.reason}: the chain's length and head cannot "
                                         "be checked (deleted?)")]
    if read.state != "ok" or read.checkpoint is None:
        return "invalid", None, [Problem("checkpoint_invalid", read.reason)]
    cp = read.checkpoint
    if cp.seq > walk.position:
        last = walk.last["id"] if walk.last else "none"
        return "ok", cp.seq, [Problem(
            "tail_deleted", f"the checkpoint says the chain has {cp.seq} records, ending at record {cp.id}; it has "
            f"{walk.position} (last record {last}): the last {cp.seq - walk.position} were deleted", cp.id)]
    found = walk.at.get(cp.seq)
    if found is None or found["id"] != cp.id or found["hash"] != cp.hash:
        rid = found["id"] if found else None
        return "ok", cp.seq, [Problem(
            "checkpoint_mismatch", f"record #{cp.seq} of the chain is not the one the checkpoint names (record "
            f"{cp.id}, hash {cp.hash[:12]}…): the log was rewritten up to there", rid)]
    return ("behind" if walk.position > cp.seq else "ok"), cp.seq, []


def _expected(walk: _Walk, expect: tuple[int, str] | None) -> list[Problem]:
    """A head written down earlier (``audit verify --head ID:HASH``) must still be in the chain, unchanged."""
    if expect is None:
        return []
    found = walk.by_id.get(expect[0])
    if found is None:
        return [Problem("head_missing", f"record {expect[0]}, written down as a head, is not in the chain", expect[0])]
    if found != expect[1]:
        return [Problem("head_changed", f"record {expect[0]} has hash {found[:12]}…, not the {expect[1][:12]}… "
                        "written down: the log was rewritten", expect[0])]
    return []


def verify(engine: sa.Engine, anchor: Anchor | None, expect: tuple[int, str] | None = None) -> AuditReport:
    """Everything above; ``expect`` = (record id, hash) of a head written down earlier, checked too."""
    read = anchor.read() if anchor is not None else None
    watch = read.checkpoint.seq if read is not None and read.checkpoint is not None else None
    walk, replay = _Walk(anchor, watch_id=expect[0] if expect else None), Replay()
    with engine.connect() as conn:
        for row in audit.rows(conn):
            walk.check(row, watch)
            replay.feed(row)
        found, notes = replay.compare(conn, lenient=walk.legacy > 0)
    state, cp_seq, cp_problems = _checkpoint(walk, read)
    cp_problems += _expected(walk, expect)
    tables = [Problem(f.kind, f.reason, f.record, f.table, f.row) for f in found]
    warnings = tuple(Problem(f.kind, f.reason, f.record, f.table, f.row) for f in notes)
    head = walk.last or {}
    return AuditReport(walk.position, walk.legacy, walk.signed, anchor.key.key_id if anchor else None, state,
                       cp_seq, head.get("id"), head.get("hash"), tuple(walk.problems + cp_problems + tables),
                       warnings)
