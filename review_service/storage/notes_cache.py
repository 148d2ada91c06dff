"""Cache of drafted notes, keyed on (entry hash, model, prompt, language) — see ``notes.note_key``.

A table of the service's database (``note_cache``, migration 0002), so a second machine or a worker sees the
same notes. Each ``put`` commits, so a stopped batch resumes where it stopped.
"""
from __future__ import annotations

from typing import Any

from .db import Database, open_database


class NotesCache:
    def __init__(self, db: Database, *, owned: bool = False) -> None:
        self.db = db
        self._owned = owned

    @classmethod
    def for_settings(cls, settings) -> NotesCache:
        """A cache on the settings' database, opened for this cache alone (closed by ``close``)."""
        return cls(open_database(settings), owned=True)

    def get(self, key: str) -> dict[str, Any] | None:
        return self.db.get_note(key)

    def put(self, key: str, doc_id: str, note: dict[str, Any]) -> None:
        self.db.put_note(key, doc_id, note)

    def __len__(self) -> int:
        return self.db.count_notes()

    def close(self) -> None:
        if self._owned:
            self.db.close()
