"""SQLite database: connection, numbered migrations, and every query the service runs."""
from __future__ import annotations

import json
import logging
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from review_service.errors import ConfigError

logger = logging.getLogger(__name__)


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _path_from_url(url: str) -> Path:
    if url.startswith("sqlite:///"):
        return Path(url[len("sqlite:///"):])
    raise ConfigError(
        f"unsupported database URL {url!r}",
        hint="use sqlite:///path/to/review.db (REVIEW_DATABASE_URL); PostgreSQL is not built yet",
    )


def _migrations() -> list[tuple[int, str, str]]:
    folder = resources.files("review_service.storage") / "migrations"
    found = []
    for entry in folder.iterdir():
        if entry.name.endswith(".sql"):
            number = int(entry.name.split("_", 1)[0])
            found.append((number, entry.name, entry.read_text(encoding="utf-8")))
    return sorted(found)


class Database:
    """One SQLite file. Thread-safe for the API by a lock around each unit of work."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._conn = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None, timeout=30)
        self._conn.row_factory = sqlite3.Row
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute("PRAGMA foreign_keys=ON")
        self._conn.execute("PRAGMA synchronous=NORMAL")
        self._lock = threading.RLock()
        self.migrate()

    # -- plumbing -----------------------------------------------------------------------------------
    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")

    def _query(self, sql: str, params: Sequence[Any] = ()) -> list[sqlite3.Row]:
        with self._lock:
            return self._conn.execute(sql, params).fetchall()

    def migrate(self) -> int:
        with self._lock:
            self._conn.execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT, applied_at TEXT)"
            )
            done = {r[0] for r in self._conn.execute("SELECT version FROM schema_migrations")}
        applied = 0
        for number, name, sql in _migrations():
            if number in done:
                continue
            with self.transaction() as conn:
                for statement in sql.split(";\n"):
                    if statement.strip():
                        conn.execute(statement)
                conn.execute("INSERT INTO schema_migrations VALUES (?, ?, ?)", (number, name, now()))
            logger.info("applied migration %s", name)
            applied += 1
        return applied

    def schema_version(self) -> int:
        return self._query("SELECT COALESCE(MAX(version), 0) FROM schema_migrations")[0][0]

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    # -- batches and submissions ----------------------------------------------------------------------
    def start_batch(self, source: str) -> int:
        with self.transaction() as conn:
            cur = conn.execute("INSERT INTO batches (source, started_at) VALUES (?, ?)", (source, now()))
            return int(cur.lastrowid)

    def finish_batch(self, batch_id: int) -> None:
        with self.transaction() as conn:
            conn.execute("UPDATE batches SET finished_at = ? WHERE id = ?", (now(), batch_id))

    def get_submission(self, sha256: str, file_name: str) -> dict | None:
        rows = self._query("SELECT record FROM submissions WHERE sha256 = ? AND file_name = ?", (sha256, file_name))
        return json.loads(rows[0]["record"]) if rows else None

    def save_submission(self, record: dict, batch_id: int | None) -> None:
        stamp = now()
        with self.transaction() as conn:
            conn.execute(
                """INSERT INTO submissions (entry_id, sha256, file_name, size_bytes, stored_as, status, record,
                                            first_seen, updated_at, batch_id)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                   ON CONFLICT (entry_id) DO UPDATE SET status = excluded.status, record = excluded.record,
                        updated_at = excluded.updated_at, batch_id = excluded.batch_id""",
                (record["entry_id"], record["sha256"], record["file_name"], record["size_bytes"],
                 record["stored_as"], record["status"], json.dumps(record, ensure_ascii=False), stamp, stamp,
                 batch_id),
            )

    def submissions(self, *, batch_id: int | None = None) -> list[dict]:
        if batch_id is None:
            rows = self._query("SELECT record FROM submissions ORDER BY file_name")
        else:
            rows = self._query("SELECT record FROM submissions WHERE batch_id = ? ORDER BY file_name", (batch_id,))
        return [json.loads(r["record"]) for r in rows]

    def count_submissions(self) -> int:
        return self._query("SELECT COUNT(*) FROM submissions")[0][0]

    # -- parse cache ------------------------------------------------------------------------------------
    def get_parsed(self, sha256: str, parser_version: str) -> dict | None:
        rows = self._query("SELECT parsed FROM documents WHERE sha256 = ? AND parser_version = ?",
                           (sha256, parser_version))
        return json.loads(rows[0]["parsed"]) if rows else None

    def save_parsed(self, sha256: str, parser_version: str, parsed: dict) -> None:
        with self.transaction() as conn:
            conn.execute(
                "INSERT OR REPLACE INTO documents (sha256, parser_version, parsed, created_at) VALUES (?, ?, ?, ?)",
                (sha256, parser_version, json.dumps(parsed, ensure_ascii=False), now()),
            )

    # -- forms ---------------------------------------------------------------------------------------------
    def save_forms(self, rows: dict[str, dict]) -> None:
        stamp = now()
        with self.transaction() as conn:
            conn.executemany(
                "INSERT OR REPLACE INTO forms (file_name, row, loaded_at) VALUES (?, ?, ?)",
                [(k, json.dumps(v, ensure_ascii=False), stamp) for k, v in rows.items()],
            )

    # -- AI results (drafts with provenance) -----------------------------------------------------------------
    def save_ai_result(self, stage: str, payload: Any, provenance: dict, batch_id: int | None = None) -> None:
        with self.transaction() as conn:
            conn.execute(
                "INSERT INTO ai_results (batch_id, stage, payload, provenance, created_at) VALUES (?, ?, ?, ?, ?)",
                (batch_id, stage, json.dumps(payload, ensure_ascii=False), json.dumps(provenance), now()),
            )
            conn.execute(
                "INSERT INTO audit_log (at, actor, action, subject, detail) VALUES (?, ?, ?, ?, ?)",
                (now(), f"system:{stage}", "ai_draft_created", f"batch:{batch_id}", json.dumps(provenance)),
            )

    def latest_ai_result(self, stage: str) -> dict | None:
        rows = self._query("SELECT payload, provenance FROM ai_results WHERE stage = ? ORDER BY id DESC LIMIT 1",
                           (stage,))
        if not rows:
            return None
        return {"payload": json.loads(rows[0]["payload"]), "provenance": json.loads(rows[0]["provenance"])}

    # -- embedding cache (CachedEncoder's store) ---------------------------------------------------------------
    def get_many(self, keys: Sequence[str], model_id: str) -> dict[str, np.ndarray]:
        out: dict[str, np.ndarray] = {}
        keys = list(keys)
        for start in range(0, len(keys), 500):
            part = keys[start:start + 500]
            marks = ",".join("?" * len(part))
            for row in self._query(f"SELECT key, vector FROM embeddings WHERE model_id = ? AND key IN ({marks})",
                                   (model_id, *part)):
                out[row["key"]] = np.frombuffer(row["vector"], dtype=np.float32)
        return out

    def put_many(self, items: dict[str, np.ndarray], model_id: str) -> None:
        with self.transaction() as conn:
            conn.executemany(
                "INSERT OR REPLACE INTO embeddings (key, model_id, vector) VALUES (?, ?, ?)",
                [(k, model_id, np.asarray(v, dtype=np.float32).tobytes()) for k, v in items.items()],
            )

    # -- human actions and the audit log (written only through review_service.scoring) ------------------------
    def insert_score(self, entry_id: str, juror_id: str, criterion: str, value: float, comment: str,
                     actor: str) -> None:
        stamp = now()
        with self.transaction() as conn:
            conn.execute(
                """INSERT INTO scores (entry_id, juror_id, criterion, value, comment, actor, at)
                   VALUES (?, ?, ?, ?, ?, ?, ?)
                   ON CONFLICT (entry_id, juror_id, criterion) DO UPDATE SET value = excluded.value,
                        comment = excluded.comment, actor = excluded.actor, at = excluded.at""",
                (entry_id, juror_id, criterion, value, comment, actor, stamp),
            )
            conn.execute(
                "INSERT INTO audit_log (at, actor, action, subject, detail) VALUES (?, ?, ?, ?, ?)",
                (stamp, actor, "score_recorded", entry_id,
                 json.dumps({"juror": juror_id, "criterion": criterion, "value": value}, ensure_ascii=False)),
            )

    def insert_decision(self, entry_id: str, kind: str, value: str, reason: str, actor: str) -> None:
        stamp = now()
        with self.transaction() as conn:
            conn.execute(
                "INSERT INTO decisions (entry_id, kind, value, reason, actor, at) VALUES (?, ?, ?, ?, ?, ?)",
                (entry_id, kind, value, reason, actor, stamp),
            )
            conn.execute(
                "INSERT INTO audit_log (at, actor, action, subject, detail) VALUES (?, ?, ?, ?, ?)",
                (stamp, actor, f"{kind}_decided", entry_id,
                 json.dumps({"value": value, "reason": reason}, ensure_ascii=False)),
            )

    def scores(self, entry_id: str | None = None) -> list[dict]:
        sql, params = "SELECT * FROM scores", ()
        if entry_id is not None:
            sql, params = sql + " WHERE entry_id = ?", (entry_id,)
        return [dict(r) for r in self._query(sql + " ORDER BY id", params)]

    def decisions(self, entry_id: str | None = None) -> list[dict]:
        sql, params = "SELECT * FROM decisions", ()
        if entry_id is not None:
            sql, params = sql + " WHERE entry_id = ?", (entry_id,)
        return [dict(r) for r in self._query(sql + " ORDER BY id", params)]

    def audit_log(self, subject: str | None = None) -> list[dict]:
        sql, params = "SELECT * FROM audit_log", ()
        if subject is not None:
            sql, params = sql + " WHERE subject = ?", (subject,)
        return [dict(r) for r in self._query(sql + " ORDER BY id", params)]


def open_database(settings) -> Database:
    return Database(_path_from_url(settings.db_url))
