"""Typed request/response models at the API boundary (separate from the internal dataclasses)."""
from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class Problem(BaseModel):
    """RFC 9457 problem details."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str
    code: str
    hint: str = ""


class EntrySummary(BaseModel):
    entry_id: str
    file_name: str
    status: str
    format: str | None
    language: str
    reasons: list[dict[str, str]]


class EntryRecord(EntrySummary):
    model_config = ConfigDict(extra="allow")
    checks: list[dict[str, Any]]


class ScoreIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    juror_id: str = Field(min_length=1)
    criterion: str = Field(min_length=1)
    value: float
    comment: str = ""


class DecisionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: Literal["eligibility", "final_assignment", "finalist", "award"]
    value: str = Field(min_length=1)
    reason: str = ""


class AiDraft(BaseModel):
    """An AI output as stored: always a draft with its provenance."""

    status: Literal["draft"] = "draft"
    stage: str
    payload: Any
    provenance: dict[str, Any]
    batch_id: int | None = None


class SearchHitOut(BaseModel):
    model_config = ConfigDict(extra="allow")
    id: str
    score: float
