"""Storage: the only code that writes SQL. SQLite by default (one file, WAL), numbered migrations."""
from __future__ import annotations

from .db import Database, open_database

__all__ = ["Database", "open_database"]
