"""What a search returns: hits with their best passage (query terms marked) and anchor, plus facet counts."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class Passage:
    text: str  # a snippet of the best chunk, query terms marked (``**term**`` by default)
    chunk: int  # index of the chunk in its document
    anchor: str  # where it is: "section 2", "page 3", "slide 5 (notes)", "01:20–01:35"
    spans: tuple[tuple[int, int], ...] = ()  # marked words, as offsets into the chunk text


@dataclass(frozen=True)
class Hit:
    id: str
    score: float  # fused score: comparable within one result list only
    title: str
    lang: str
    year: int | None
    facets: dict[str, str]
    passage: Passage
    lexical: float = 0.0  # the document's BM25 score (0 when no query term occurs)
    dense: float = 0.0  # cosine of its best chunk to the query


@dataclass(frozen=True)
class SearchResult:
    query: str
    hits: tuple[Hit, ...]
    facets: dict[str, dict[str, int]]  # value counts over the candidate documents that pass the filters
    candidates: int  # documents either retriever returned (after filters)
    filters: dict[str, list[str]] = field(default_factory=dict)
    model: str = ""
    config: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)
