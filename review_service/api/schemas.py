"""Typed request/response models at the API boundary (separate from the internal dataclasses): what every
resource shares — the problem details of every error, a page of a list, health. Each resource's models are in
its own module (``account_schemas``, ``entry_schemas``, ``jury_schemas``, ``assignment_schemas``,
``audit_schemas``, ``search_schemas``, ``batch_schemas``).

Every route has one; lists come as a :class:`Page`. Examples appear in the OpenAPI documents (/docs).
"""
from __future__ import annotations

from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict

T = TypeVar("T")


def examples(*items: dict) -> ConfigDict:
    return ConfigDict(json_schema_extra={"examples": list(items)})


class Problem(BaseModel):
    """RFC 9457 problem details: every error the API sends."""

    model_config = examples({"type": "urn:review-service:not_found", "title": "not found", "status": 404,
                              "detail": "no entry 'x'", "code": "not_found", "hint": "GET /entries lists them"})
    type: str = "about:blank"
    title: str
    status: int
    detail: str
    code: str
    hint: str = ""
    errors: list[dict[str, Any]] | None = None
    error_id: str | None = None
    edition: str | None = None  # a write refused in a closed edition (code edition_closed) names it


class Page(BaseModel, Generic[T]):
    """One page of a list: ``items``, the ``total`` matching, and the ``offset`` / ``limit`` asked for."""

    items: list[T]
    total: int
    offset: int
    limit: int


class Health(BaseModel):
    model_config = examples({"status": "ok", "version": "0.1.0", "schema_version": 3, "query_encoder": "eager"})
    status: str
    version: str
    schema_version: int
    query_encoder: str
