"""Storage: the only code that writes SQL. SQLite by default (one file, WAL), numbered migrations."""
from __future__ import annotations

from sqlalchemy.exc import DataError as ValueOutOfRange  # a value the database cannot hold (API: 422)

from .db import Database, open_database

__all__ = ["Database", "ValueOutOfRange", "open_database"]
