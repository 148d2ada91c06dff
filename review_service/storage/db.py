"""The database: every query the service runs, on SQLite or PostgreSQL (SQLAlchemy Core).

``Database(url)`` opens (and migrates) the database at a URL; its methods are the only way the rest of the code
reads or writes it. Each write is one transaction; the engine's pool makes a ``Database`` safe to share between
threads (the API) and between processes (workers, a second API instance on PostgreSQL).
"""
from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import numpy as np
import sqlalchemy as sa

from review_service.storage import audit_chain as audit
from review_service.storage import audit_verify, edition_scope, migrate
from review_service.storage.connection import make_engine

from . import tables as t
from .audit_anchor import Anchor, load_anchor

logger = logging.getLogger(__name__)


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def to_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


class Database:
    """One database at ``url`` (``sqlite:///…`` or ``postgresql+psycopg://…``), migrated to the newest schema."""

    def __init__(self, url: str, anchor: Anchor | None = None) -> None:
        self.url = url
        self.engine = make_engine(url)
        self.anchor = anchor  # the audit key and checkpoint (open_database sets it; storage.audit_anchor)
        self.migrate()

    @property
    def backend(self) -> str:
        return self.engine.dialect.name

    # -- plumbing -----------------------------------------------------------------------------------------
    @contextmanager
    def transaction(self) -> Iterator[sa.Connection]:
        """One write transaction (on SQLite it takes the write lock at once: BEGIN IMMEDIATE). Once one that
        appended to the audit chain commits, the checkpoint outside the database moves to its head."""
        with self.engine.connect().execution_options(write=True) as conn:
            conn.info.pop(audit.HEAD, None)
            try:
                with conn.begin():
                    yield conn
            finally:
                head = conn.info.pop(audit.HEAD, None)
        if head is not None and self.anchor is not None:  # reached only when the transaction committed
            self.anchor.advance(head)

    def query_rows(self, query: sa.Executable) -> list[sa.RowMapping]:
        with self.engine.connect() as conn:
            return list(conn.execute(query).mappings())

    def query_scalar(self, query: sa.Executable) -> Any:
        with self.engine.connect() as conn:
            return conn.execute(query).scalar()

    def dialect_insert(self, table: sa.Table) -> Any:
        """``INSERT`` in this database's dialect, with its ``ON CONFLICT`` clauses (SQLite and PostgreSQL)."""
        from sqlalchemy.dialects import postgresql, sqlite

        return (postgresql.insert if self.backend == "postgresql" else sqlite.insert)(table)

    def upsert(self, conn: sa.Connection, table: sa.Table, rows: list[dict], keys: Sequence[str],
               update: Sequence[str]) -> None:
        """Insert ``rows``; where a row with the same ``keys`` exists, overwrite its ``update`` columns."""
        if not rows:
            return
        stmt = self.dialect_insert(table)
        stmt = stmt.on_conflict_do_update(index_elements=list(keys),
                                          set_={c: stmt.excluded[c] for c in update})
        conn.execute(stmt, rows)

    def append_audit(self, conn: sa.Connection, *, actor: str, action: str, subject: str, detail: Any = None,
               at: str | None = None, before: Any = None, after: Any = None) -> None:
        """Append to the audit chain inside the caller's write transaction (``storage.audit``)."""
        audit.append(conn, at=at or now(), actor=actor, action=action, subject=subject, detail=detail,
                     before=before, after=after, signer=self.anchor.key if self.anchor else None)

    def migrate(self) -> int:
        """Bring the schema to the newest revision; the number of revisions applied."""
        before = migrate.upgrade(self.engine)
        return int(migrate.head()) - int(before or 0)

    def schema_version(self) -> int:
        return int(migrate.current(self.engine) or 0)

    def close(self) -> None:
        self.engine.dispose()

    # -- editions (storage.edition_scope: which edition a call acts in) --------------------------------------
    def edition_id(self) -> int:
        """The edition in scope (a request's, a job's), else the current one (the oldest not closed)."""
        with self.engine.connect() as conn:
            return edition_scope.current(conn)

    def edition_for_write(self, conn: sa.Connection) -> int:
        """The edition a write in ``conn`` acts in; ``EditionClosed`` (409) when it is closed."""
        return edition_scope.for_write(conn)

    # -- batches and submissions ------------------------------------------------------------------------------
    def start_batch(self, source: str) -> int:
        with self.transaction() as conn:
            edition = self.edition_for_write(conn)
            e = t.editions.c
            conn.execute(t.editions.update().where(e.id == edition, e.state == "open").values(state="screening"))
            return int(conn.execute(t.batches.insert().values(source=source, started_at=now(), edition_id=edition)
                                    .returning(t.batches.c.id)).scalar_one())

    def finish_batch(self, batch_id: int) -> None:
        with self.transaction() as conn:
            conn.execute(t.batches.update().where(t.batches.c.id == batch_id).values(finished_at=now()))

    def get_submission(self, sha256: str, file_name: str) -> dict | None:
        c = t.submissions.c
        rows = self.query_rows(sa.select(c.record).where(c.sha256 == sha256, c.file_name == file_name,
                                                         c.edition_id == self.edition_id()))
        return json.loads(rows[0]["record"]) if rows else None

    def submission(self, entry_id: str) -> dict | None:
        """One screening record by its entry id (the primary key)."""
        c = t.submissions.c
        rows = self.query_rows(sa.select(c.record).where(c.entry_id == entry_id, c.edition_id == self.edition_id()))
        return json.loads(rows[0]["record"]) if rows else None

    def save_submission(self, record: dict, batch_id: int | None) -> None:
        stamp = now()
        row = {"entry_id": record["entry_id"], "sha256": record["sha256"], "file_name": record["file_name"],
               "size_bytes": record["size_bytes"], "stored_as": record["stored_as"], "status": record["status"],
               "record": to_json(record), "first_seen": stamp, "updated_at": stamp, "batch_id": batch_id}
        with self.transaction() as conn:
            row["edition_id"] = self.edition_for_write(conn)
            self.upsert(conn, t.submissions, [row], ["entry_id"], ["status", "record", "updated_at", "batch_id"])

    def submissions(self, *, batch_id: int | None = None, status: str | None = None) -> list[dict]:
        c = t.submissions.c
        query = sa.select(c.record).where(c.edition_id == self.edition_id()).order_by(c.file_name, c.entry_id)
        if batch_id is not None:
            query = query.where(c.batch_id == batch_id)
        if status is not None:
            query = query.where(c.status == status)
        return [json.loads(r["record"]) for r in self.query_rows(query)]

    def count_submissions(self) -> int:
        return int(self.query_scalar(sa.select(sa.func.count()).select_from(t.submissions)
                                     .where(t.submissions.c.edition_id == self.edition_id())))

    # -- parse cache ------------------------------------------------------------------------------------------
    def get_parsed(self, sha256: str, parser_version: str) -> dict | None:
        c = t.documents.c
        rows = self.query_rows(sa.select(c.parsed).where(c.sha256 == sha256, c.parser_version == parser_version))
        return json.loads(rows[0]["parsed"]) if rows else None

    def save_parsed(self, sha256: str, parser_version: str, parsed: dict) -> None:
        row = {"sha256": sha256, "parser_version": parser_version, "parsed": to_json(parsed), "created_at": now()}
        with self.transaction() as conn:
            self.upsert(conn, t.documents, [row], ["sha256", "parser_version"], ["parsed", "created_at"])

    # -- forms ------------------------------------------------------------------------------------------------
    def save_forms(self, rows: dict[str, dict]) -> None:
        stamp = now()
        values = [{"file_name": k, "row": to_json(v), "loaded_at": stamp} for k, v in rows.items()]
        with self.transaction() as conn:
            self.upsert(conn, t.forms, values, ["file_name"], ["row", "loaded_at"])

    # -- AI results (drafts with provenance) ---------------------------------------------------------------------
    def save_ai_result(self, stage: str, payload: Any, provenance: dict, batch_id: int | None = None) -> None:
        with self.transaction() as conn:
            self.insert_ai_result(conn, stage, payload, provenance, batch_id)

    def insert_ai_result(self, conn: sa.Connection, stage: str, payload: Any, provenance: dict,
                         batch_id: int | None) -> None:
        """An AI draft and its audit line, inside the caller's transaction (storage.jobs records a finished
        stage with it in one transaction)."""
        stamp = now()
        body = to_json(payload)
        result_id = conn.execute(t.ai_results.insert().values(
            edition_id=self.edition_for_write(conn), batch_id=batch_id, stage=stage, payload=body, provenance=to_json(provenance), created_at=stamp)
            .returning(t.ai_results.c.id)).scalar_one()
        self.append_audit(conn, actor=f"system:{stage}", action="ai_draft_created", subject=f"batch:{batch_id}",
                          detail=provenance, at=stamp,
                          after={"ai_result": int(result_id), "stage": stage, "status": "draft",
                           "payload_sha256": hashlib.sha256(body.encode("utf-8")).hexdigest()})

    def latest_ai_result(self, stage: str, batch_id: int | None = None) -> dict | None:
        """The draft of ``stage`` for ``batch_id``; without one, that of the latest batch that has one (rows saved
        without a batch id, from before batch ids were recorded, come last)."""
        c = t.ai_results.c
        query = sa.select(c.payload, c.provenance, c.batch_id).where(c.stage == stage,
                                                                      c.edition_id == self.edition_id())
        if batch_id is not None:
            query = query.where(c.batch_id == batch_id)
        rows = self.query_rows(query.order_by(c.batch_id.desc().nulls_last(), c.id.desc()).limit(1))
        if not rows:
            return None
        return {"payload": json.loads(rows[0]["payload"]), "provenance": json.loads(rows[0]["provenance"]),
                "batch_id": rows[0]["batch_id"]}

    def ai_results_per_batch(self, stage: str) -> list[dict]:
        """Each batch's latest draft of ``stage`` (rows without a batch id first, then by batch id)."""
        c = t.ai_results.c
        latest = (sa.select(sa.func.max(c.id)).where(c.stage == stage, c.edition_id == self.edition_id())
                  .group_by(sa.func.coalesce(c.batch_id, -1)))
        query = (sa.select(c.id, c.payload, c.provenance, c.batch_id).where(c.id.in_(latest))
                 .order_by(c.batch_id.asc().nulls_first(), c.id))
        return [{"id": int(r["id"]), "payload": json.loads(r["payload"]), "provenance": json.loads(r["provenance"]),
                 "batch_id": r["batch_id"]} for r in self.query_rows(query)]

    # -- assignments (read; drafts and publications are written by storage.jury for people only) -----------------
    def assignment_history(self, state: str) -> list[dict]:
        """Every draft or publication (``state``), oldest first, with its payload."""
        a = t.assignments.c
        rows = self.query_rows(sa.select(t.assignments).where(a.state == state, a.edition_id == self.edition_id())
                               .order_by(a.version))
        return [{**dict(r), "payload": json.loads(r["payload"])} for r in rows]

    def latest_assignment(self, state: str) -> dict | None:
        """The newest draft or publication (``state``) with its payload, or None."""
        a = t.assignments.c
        rows = self.query_rows(sa.select(t.assignments).where(a.state == state, a.edition_id == self.edition_id())
                               .order_by(a.version.desc()).limit(1))
        if not rows:
            return None
        return {**dict(rows[0]), "payload": json.loads(rows[0]["payload"])}

    def entry_ids(self) -> list[str]:
        c = t.submissions.c
        return [r["entry_id"] for r in self.query_rows(sa.select(c.entry_id).where(c.edition_id == self.edition_id())
                                                       .order_by(c.entry_id))]

    # -- embedding cache (CachedEncoder's store) ------------------------------------------------------------------
    def get_many(self, keys: Sequence[str], model_id: str) -> dict[str, np.ndarray]:
        c = t.embeddings.c
        out: dict[str, np.ndarray] = {}
        keys = list(keys)
        for start in range(0, len(keys), 500):
            part = keys[start:start + 500]
            for row in self.query_rows(sa.select(c.key, c.vector).where(c.model_id == model_id, c.key.in_(part))):
                out[row["key"]] = np.frombuffer(row["vector"], dtype=np.float32)
        return out

    def put_many(self, items: dict[str, np.ndarray], model_id: str) -> None:
        rows = [{"key": k, "model_id": model_id, "vector": np.asarray(v, dtype=np.float32).tobytes()}
                for k, v in items.items()]
        with self.transaction() as conn:
            self.upsert(conn, t.embeddings, rows, ["key", "model_id"], ["vector"])

    # -- drafted notes cache (notes.draft_batch) --------------------------------------------------------------------
    def get_note(self, key: str) -> dict | None:
        rows = self.query_rows(sa.select(t.note_cache.c.note_json).where(t.note_cache.c.key == key))
        return json.loads(rows[0]["note_json"]) if rows else None

    def put_note(self, key: str, doc_id: str, note: dict) -> None:
        row = {"key": key, "doc_id": doc_id, "note_json": to_json(note), "created_at": now()}
        with self.transaction() as conn:
            self.upsert(conn, t.note_cache, [row], ["key"], ["doc_id", "note_json", "created_at"])

    def count_notes(self) -> int:
        return int(self.query_scalar(sa.select(sa.func.count()).select_from(t.note_cache)))

    # -- the audit log (read; appends go through _audit, inside each write's transaction) --------------------
    def scores(self, entry_id: str | None = None) -> list[dict]:
        query = sa.select(t.scores).where(t.scores.c.edition_id == self.edition_id()).order_by(t.scores.c.id)
        if entry_id is not None:
            query = query.where(t.scores.c.entry_id == entry_id)
        return [dict(r) for r in self.query_rows(query)]

    def audit_log(self, subject: str | None = None) -> list[dict]:
        query = sa.select(t.audit_log).order_by(t.audit_log.c.id)
        if subject is not None:
            query = query.where(t.audit_log.c.subject == subject)
        return [dict(r) for r in self.query_rows(query)]

    def audit_page(self, *, subject: str | None = None, offset: int = 0, limit: int = 100) -> tuple[list[dict], int]:
        return audit.page(self.engine, subject=subject, offset=offset, limit=limit)

    def verify_audit(self, expect_head: tuple[int, str] | None = None) -> audit_verify.AuditReport:
        """The chain, its signatures and checkpoint, and the tables replayed against it (storage.audit_verify);
        ``expect_head``: (record id, hash) written down earlier, which must still be in the chain."""
        return audit_verify.verify(self.engine, self.anchor, expect_head)


def open_database(settings) -> Database:
    """The database of ``settings`` with its audit anchor (the key is made on first use; docs/jury.md)."""
    db = Database(settings.db_url)
    try:
        db.anchor = load_anchor(settings, db.engine)
    except BaseException:
        db.close()
        raise
    return db
