"""Filters and facet counts over document metadata (year, region, library type, language, theme, outcome, edition).

A document's facet values come from its archive record: ``year`` and ``lang`` are Document fields, the others
``Document.meta`` keys (``theme`` falls back to ``topic``, ``year`` to ``edition``). Filters are ``{field: value or values}``: values of one field are alternatives (OR), fields
combine with AND; ``year`` also takes a range ``"2022-2024"``. Values compare as lower-case strings.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from review_service.core.domain import Document
from review_service.core.errors import InputError

FACETS = ("year", "region", "library_type", "lang", "theme", "outcome", "edition")
Filters = Mapping[str, Any]


def facet_values(doc: Document) -> dict[str, str]:
    """The facet fields of one document, as strings ('' where the record has none)."""
    values = {
        "year": str(doc.year) if doc.year is not None else doc.meta.get("edition", ""),
        "lang": doc.lang if doc.lang != "und" else "",
    }
    for name in FACETS:
        if name not in values:
            values[name] = str(doc.meta.get(name, "")).strip()
    if not values["theme"]:  # the sample archive calls it "topic"
        values["theme"] = str(doc.meta.get("topic", "")).strip()
    return values


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str | int):
        return [v.strip() for v in str(value).split(",") if v.strip()]
    return [str(v).strip() for v in value if str(v).strip()]


class FilterSet:
    """Parsed filters: per field, a set of accepted values (and for year, ranges)."""

    def __init__(self, filters: Filters | None = None) -> None:
        self.values: dict[str, set[str]] = {}
        self.year_ranges: list[tuple[int, int]] = []
        for name, raw in (filters or {}).items():
            if name not in FACETS:
                raise InputError(f"unknown filter {name!r}", hint=f"filter on one of: {', '.join(FACETS)}")
            wanted = _as_list(raw)
            if not wanted:
                continue
            if name == "year":
                for v in wanted:
                    lo, sep, hi = v.partition("-")
                    try:
                        self.year_ranges.append((int(lo), int(hi) if sep else int(lo)))
                    except ValueError:
                        raise InputError(f"year filter {v!r} is not a year or a range like 2022-2024") from None
                self.values[name] = set()
            else:
                self.values[name] = {v.lower() for v in wanted}

    def __bool__(self) -> bool:
        return bool(self.values)

    def accepts(self, values: Mapping[str, str]) -> bool:
        for name, wanted in self.values.items():
            got = values.get(name, "")
            if name == "year":
                try:
                    year = int(got)
                except ValueError:
                    return False
                if not any(lo <= year <= hi for lo, hi in self.year_ranges):
                    return False
            elif got.lower() not in wanted:
                return False
        return True

    def to_dict(self) -> dict[str, list[str]]:
        out = {k: sorted(v) for k, v in self.values.items() if k != "year"}
        if self.year_ranges:
            out["year"] = [f"{lo}-{hi}" if lo != hi else str(lo) for lo, hi in self.year_ranges]
        return out


def count_facets(rows: Iterable[Mapping[str, str]], fields: Sequence[str] = FACETS) -> dict[str, dict[str, int]]:
    """Value counts per facet field over the given documents' facet values (empty values left out)."""
    counts: dict[str, Counter[str]] = {f: Counter() for f in fields}
    for values in rows:
        for f in fields:
            v = values.get(f, "")
            if v:
                counts[f][v] += 1
    return {f: dict(sorted(c.items(), key=lambda kv: (-kv[1], kv[0]))) for f, c in counts.items()}
