"""SQLite cache of drafted notes, keyed on (entry hash, model, prompt, language) — see ``notes.note_key``.

One small table in its own file (``<data_dir>/notes_cache.sqlite``), so drafting notes needs no migrations
and a corrupt or deleted cache only costs re-drafting. Each ``put`` commits, so a stopped batch resumes.
"""
from __future__ import annotations

import json
import sqlite3
import time
from pathlib import Path
from typing import Any

SCHEMA = """
CREATE TABLE IF NOT EXISTS note_cache (
    key        TEXT PRIMARY KEY,
    doc_id     TEXT NOT NULL,
    note_json  TEXT NOT NULL,
    created_at TEXT NOT NULL
)
"""


class NotesCache:
    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(self.path)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute(SCHEMA)
        self._db.commit()

    @classmethod
    def for_settings(cls, settings) -> NotesCache:
        return cls(Path(settings.data_dir) / "notes_cache.sqlite")

    def get(self, key: str) -> dict[str, Any] | None:
        row = self._db.execute("SELECT note_json FROM note_cache WHERE key = ?", (key,)).fetchone()
        return json.loads(row[0]) if row else None

    def put(self, key: str, doc_id: str, note: dict[str, Any]) -> None:
        self._db.execute(
            "INSERT OR REPLACE INTO note_cache (key, doc_id, note_json, created_at) VALUES (?, ?, ?, ?)",
            (key, doc_id, json.dumps(note, ensure_ascii=False), time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())),
        )
        self._db.commit()

    def __len__(self) -> int:
        return int(self._db.execute("SELECT COUNT(*) FROM note_cache").fetchone()[0])

    def close(self) -> None:
        self._db.close()
