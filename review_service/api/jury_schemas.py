"""The jury's acts at the API boundary: the rubric, reviews, decisions, results."""
from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, JsonValue

from review_service.contest.scoring import Criterion

from .schemas import examples

RUBRIC_EXAMPLE: list[JsonValue] = [
    {"id": "innovation", "name": {"kk": "Жаңашылдық", "ru": "Новизна", "en": "Innovation"},
     "description": {"en": "How new is the idea for libraries?"}, "weight": 2, "min": 0, "max": 10, "step": 1,
     "comment_required": False},
    {"id": "feasibility", "name": {"kk": "Іске асыру", "ru": "Реализуемость", "en": "Feasibility"},
     "weight": 1, "min": 0, "max": 5, "step": 0.5, "comment_required": True}]


class RubricIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"criteria": RUBRIC_EXAMPLE}]})
    criteria: list[Criterion] = Field(min_length=1, max_length=50)


class RubricOut(BaseModel):
    version: int
    criteria: list[Criterion]
    actor: str
    at: str


class ScoreValue(BaseModel):
    model_config = ConfigDict(extra="forbid")
    value: float = Field(allow_inf_nan=False)
    comment: str = Field(default="", max_length=5000)


class ReviewIn(BaseModel):
    """Scores to save as a draft, by criterion id (merged with those saved before)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"scores": {"innovation": {"value": 8}, "feasibility": {"value": 3.5, "comment": "budget is thin"}}}]})
    scores: dict[str, ScoreValue] = Field(min_length=1, max_length=50)


class ReasonIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"reason": "the juror asked to correct a typo in a comment"}]})
    reason: str = Field(min_length=1, max_length=2000)


class ReviewOut(BaseModel):
    model_config = examples({"entry_id": "E-7F3A9C", "juror_id": "j01", "status": "draft", "rubric_version": 1,
                              "revision": 2, "updated_at": "2026-11-18T10:00:00+00:00", "submitted_at": None,
                              "scores": {"innovation": {"value": 8, "comment": ""}}})
    entry_id: str
    juror_id: str
    status: Literal["draft", "submitted"]
    rubric_version: int
    revision: int
    updated_at: str
    submitted_at: str | None
    scores: dict[str, ScoreValue]


class DecisionIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"kind": "eligibility", "value": "not_eligible", "reason": "age 37 > 35 (form and ID agree)"},
        {"kind": "finalist", "value": "yes"}, {"kind": "award", "value": "1"}]})
    kind: Literal["eligibility", "finalist", "award"]
    value: str = Field(min_length=1, max_length=40)
    reason: str = Field(default="", max_length=2000)


class DecisionOut(BaseModel):
    id: int
    entry_id: str
    kind: str
    value: str
    reason: str
    actor: str
    at: str


class JurorTotalOut(BaseModel):
    juror: str
    total: float
    z: float


class NotCountedOut(BaseModel):
    """A submitted review kept but not counted: its pair was removed (``since``: by the publication of that
    time), is in conflict of interest, or was never published."""

    juror: str
    total: float
    reason: str = Field(description="removed | conflict | declared_conflict | abstained | not_assigned")
    since: str | None = None


class EntryResultOut(BaseModel):
    model_config = examples({"entry_id": "3f9a0c1d2e4b", "code": "E-7F3A9C", "file_name": "ЖИ байқауы_X.pdf",
                              "submitted": 3, "required": 3, "totals": [{"juror": "j01", "total": 21, "z": 0.4}],
                              "raw_mean": 20.3, "z_mean": 0.31, "rank_raw": 2, "rank_z": 1, "tie_raw": False,
                              "tie_z": False, "spread": 3.0, "disagreement": False, "decisions": {"finalist": "yes"}})
    entry_id: str
    code: str
    file_name: str
    submitted: int
    required: int
    totals: list[JurorTotalOut]
    raw_mean: float | None
    z_mean: float | None
    rank_raw: int | None
    rank_z: int | None
    tie_raw: bool
    tie_z: bool
    spread: float | None
    disagreement: bool
    decisions: dict[str, str]
    not_counted: list[NotCountedOut] = Field(default_factory=list,
                                             description="submitted reviews kept but never averaged")
