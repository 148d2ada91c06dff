"""Assignments at the API boundary: the draft or published table, edits, re-solving, publication, a juror's own list."""
from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from review_service.contest.assignments import Edit

from .schemas import examples


class AssignedJuror(BaseModel):
    juror: str
    affinity: float | None
    pinned: bool
    source: str
    explanation: dict[str, Any] | None = None


class AssignedEntry(BaseModel):
    jurors: list[AssignedJuror]


class AssignmentOut(BaseModel):
    state: Literal["draft", "published"]
    version: int
    actor: str
    at: str
    note: str
    entries: dict[str, AssignedEntry]
    pins: list[str]
    forbids: list[str]
    conflicts: list[dict[str, Any]]  # {juror, entry, kind, reason, params: {juror, entry}}
    changes: dict[str, list[str]] | None = None


class EditsIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"expect_version": 0, "note": "j03 knows OCR best", "edits": [
            {"op": "pin", "juror": "j03", "entry": "3f9a0c1d2e4b"},
            {"op": "swap", "juror": "j05", "entry": "3f9a0c1d2e4b", "with_juror": "j07"}]}]})
    expect_version: int = Field(ge=0)
    edits: list[Edit] = Field(min_length=1, max_length=500)
    note: str = Field(default="", max_length=2000)


class ResolveIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"expect_version": 2,
                                                                             "mode": "fair"}]})
    expect_version: int = Field(ge=0)
    mode: Literal["optimal", "fair"] = "optimal"


class PublishIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"expect_version": 3, "note": "stage 2 assignment, agreed at the 16 November meeting"}]})
    expect_version: int = Field(ge=0)
    note: str = Field(default="", max_length=2000)


class MyAssignment(BaseModel):
    model_config = examples({"version": 2, "published_at": "2026-11-16T12:00:00+00:00",
                              "entries": ["E-7F3A9C", "E-01B2C3"], "added": ["E-01B2C3"], "removed": []})
    version: int | None
    published_at: str | None
    entries: list[str]
    added: list[str]
    removed: list[str]
