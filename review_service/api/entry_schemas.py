"""Entries at the API boundary: the screening record, the AI draft note, flag reviews, AI drafts."""
from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from .schemas import examples


class EntrySummary(BaseModel):
    model_config = examples({"entry_id": "E-7F3A9C", "code": "E-7F3A9C", "file_name": "E-7F3A9C.pdf",
                              "status": "ok", "format": "pdf", "language": "kk", "reasons": []})
    entry_id: str = Field(description="the entry's id; for a juror in blind mode, its neutral code")
    code: str = Field(description="stable neutral code (E-XXXXXX)")
    file_name: str
    status: str
    format: str | None
    language: str | None = None
    reasons: list[dict[str, str]]


class EntryRecord(EntrySummary):
    """The screening record (docs/screening-schema.md); for a juror in blind mode only the neutral fields."""

    model_config = ConfigDict(extra="allow")
    checks: list[dict[str, Any]]


class NoteSentence(BaseModel):
    index: int
    section: str
    text: str
    anchors: list[str]
    origin: str


class NoteOut(BaseModel):
    """The AI draft note of one entry, sentence by sentence (a draft, with its provenance)."""

    status: Literal["draft"] = "draft"
    entry_id: str
    lang: str
    disclaimer: str
    summary_mode: str
    provenance: dict[str, Any]
    sentences: list[NoteSentence]


class FeedbackIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"sentence": 0, "verdict": "helpful", "comment": ""}]})
    sentence: int = Field(ge=0, le=100000)
    verdict: Literal["helpful", "wrong"]
    comment: str = Field(default="", max_length=2000)


class VerdictIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"verdict": "override", "comment": "the form states the age as 34; the scan misread it"}]})
    verdict: Literal["uphold", "override"]
    comment: str = Field(min_length=1, max_length=2000)


class DuplicateVerdictIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"a": "3f9a0c1d2e4b", "b": "archive:p17", "kind": "crosslingual", "verdict": "dismiss",
         "comment": "same topic, different project"}]})
    a: str = Field(min_length=1)
    b: str = Field(min_length=1)
    kind: str = Field(min_length=1)
    verdict: Literal["confirm", "dismiss"]
    comment: str = Field(min_length=1, max_length=2000)


class FlagReviewOut(BaseModel):
    id: int
    kind: Literal["duplicate", "precheck", "note"]
    target: str
    verdict: str
    comment: str
    actor: str
    at: str


class DuplicateFlagOut(BaseModel):
    model_config = ConfigDict(extra="allow")
    a: str
    b: str
    kind: str
    score: float
    status: Literal["draft"] = "draft"
    review: FlagReviewOut | None = None


class AiDraft(BaseModel):
    """An AI output as stored: always a draft with its provenance."""

    status: Literal["draft"] = "draft"
    stage: str
    payload: Any
    provenance: dict[str, Any]
    batch_id: int | None = None
