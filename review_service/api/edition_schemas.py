"""Editions at the API boundary (docs/editions.md)."""
from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from .schemas import examples


class EditionOut(BaseModel):
    model_config = examples({"id": 2, "name": "3.0", "year": 2026, "state": "open", "language": None,
                              "deadline": "2026-11-15T23:59:59+05:00", "blind_review": True, "current": True})
    id: int
    name: str
    year: int
    state: Literal["open", "screening", "final", "closed"]
    language: str | None = None
    contest_name: str | None = None
    deadline: str | None = None
    scoring_deadline: str | None = None
    max_age: int | None = None
    filename_pattern: str | None = None
    blind_review: bool | None = None
    copied_from: int | None = None
    created_at: str
    closed_at: str | None = None
    current: bool = False
    """The edition this request works in (``?edition=``, the edition cookie, else the oldest not closed)."""


class EditionIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"name": "4.0", "year": 2027, "copy_from": "3.0"}]})
    name: str = Field(min_length=1, max_length=40)
    year: int = Field(ge=1900, le=2200)
    copy_from: str | None = Field(default=None, max_length=40)
    """Copy this edition's set-up, rubric and jury (never its entries or scores)."""


class EditionClosedOut(EditionOut):
    archived: int
    """How many entries were carried into the archive."""
