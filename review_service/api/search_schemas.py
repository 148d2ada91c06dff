"""Search of past projects at the API boundary: hits with passages and facet counts."""
from __future__ import annotations

from typing import Any

from pydantic import BaseModel


class PassageOut(BaseModel):
    text: str
    chunk: int
    anchor: str
    spans: list[list[int]] = []


class SearchHitOut(BaseModel):
    id: str
    score: float
    title: str
    lang: str
    year: int | None
    facets: dict[str, str]
    passage: PassageOut
    lexical: float = 0.0
    dense: float = 0.0


class SearchOut(BaseModel):
    """Past projects found, best first, with facet counts (organizers only)."""

    query: str
    hits: list[SearchHitOut]
    facets: dict[str, dict[str, int]]
    candidates: int
    filters: dict[str, list[str]] = {}
    model: str = ""
    config: dict[str, Any] = {}
