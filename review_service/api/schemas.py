"""Typed request/response models at the API boundary (separate from the internal dataclasses).

Every route has one; lists come as a :class:`Page`. Examples appear in the OpenAPI documents (/docs).
"""
from __future__ import annotations

from typing import Any, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from review_service.contest.accounts import NewAccount
from review_service.contest.assignments import Edit
from review_service.contest.scoring import Criterion

T = TypeVar("T")

RUBRIC_EXAMPLE = [{"id": "innovation", "name": {"kk": "Жаңашылдық", "ru": "Новизна", "en": "Innovation"},
                   "description": {"en": "How new is the idea for libraries?"}, "weight": 2, "min": 0, "max": 10,
                   "step": 1, "comment_required": False},
                  {"id": "feasibility", "name": {"kk": "Іске асыру", "ru": "Реализуемость", "en": "Feasibility"},
                   "weight": 1, "min": 0, "max": 5, "step": 0.5, "comment_required": True}]


def _examples(*items: dict) -> ConfigDict:
    return ConfigDict(json_schema_extra={"examples": list(items)})


class Problem(BaseModel):
    """RFC 9457 problem details: every error the API sends."""

    model_config = _examples({"type": "urn:review-service:not_found", "title": "not found", "status": 404,
                              "detail": "no entry 'x'", "code": "not_found", "hint": "GET /entries lists them"})
    type: str = "about:blank"
    title: str
    status: int
    detail: str
    code: str
    hint: str = ""
    errors: list[dict[str, Any]] | None = None
    error_id: str | None = None


class Page(BaseModel, Generic[T]):
    """One page of a list: ``items``, the ``total`` matching, and the ``offset`` / ``limit`` asked for."""

    items: list[T]
    total: int
    offset: int
    limit: int


class Health(BaseModel):
    model_config = _examples({"status": "ok", "version": "0.1.0", "schema_version": 3, "query_encoder": "eager"})
    status: str
    version: str
    schema_version: int
    query_encoder: str


# -- people ----------------------------------------------------------------------------------------------------
class Token(BaseModel):
    model_config = _examples({"access_token": "mF_9.B5f-4.1JqM", "token_type": "bearer", "expires_in": 43200})
    access_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_in: int


class SignedOut(BaseModel):
    revoked: bool


class Me(BaseModel):
    model_config = _examples({"login": "aigerim", "name": "Айгерім", "role": "juror", "juror_id": "j01",
                              "blind_review": True})
    login: str
    name: str
    role: Literal["admin", "organizer", "juror"]
    juror_id: str | None
    blind_review: bool


class UserOut(BaseModel):
    login: str
    name: str
    role: Literal["admin", "organizer", "juror"]
    juror_id: str | None
    disabled: bool
    created_at: str


class UserIn(NewAccount):  # the rules are contest.accounts.NewAccount's; no docstring: the schema stays as it was
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"login": "serik", "role": "organizer", "name": "Серік", "password": "correct horse battery"}]})


# -- entries ---------------------------------------------------------------------------------------------------
class EntrySummary(BaseModel):
    model_config = _examples({"entry_id": "E-7F3A9C", "code": "E-7F3A9C", "file_name": "E-7F3A9C.pdf",
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


# -- rubric, reviews, decisions --------------------------------------------------------------------------------
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
    model_config = _examples({"entry_id": "E-7F3A9C", "juror_id": "j01", "status": "draft", "rubric_version": 1,
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
    reason: str = Field(description="removed | conflict | not_assigned")
    since: str | None = None


class EntryResultOut(BaseModel):
    model_config = _examples({"entry_id": "3f9a0c1d2e4b", "code": "E-7F3A9C", "file_name": "ЖИ байқауы_X.pdf",
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


# -- assignments -----------------------------------------------------------------------------------------------
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
    conflicts: list[dict[str, str]]
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
    model_config = _examples({"version": 2, "published_at": "2026-11-16T12:00:00+00:00",
                              "entries": ["E-7F3A9C", "E-01B2C3"], "added": ["E-01B2C3"], "removed": []})
    version: int | None
    published_at: str | None
    entries: list[str]
    added: list[str]
    removed: list[str]


# -- audit, search ---------------------------------------------------------------------------------------------
class AuditRecord(BaseModel):
    id: int
    at: str
    actor: str
    action: str
    subject: str
    detail: Any
    before: Any
    after: Any
    prev_hash: str
    hash: str


class AuditProblemOut(BaseModel):
    kind: str
    """chain_link, hash_mismatch, seq_mismatch, unsigned, wrong_key, hmac_mismatch, key_missing,
    checkpoint_missing, checkpoint_invalid, tail_deleted, checkpoint_mismatch, table_edited, row_unlogged,
    row_missing"""
    reason: str
    record: int | None
    """The audit record concerned; for a table row, the last record about it."""
    table: str | None
    row: str | None


class ChainOut(BaseModel):
    intact: bool
    records: int
    broken_id: int | None
    """The first problem's record."""
    reason: str
    """The first problem, in words."""
    legacy: int
    """Records 1..legacy were written before the anchor and carry no HMAC."""
    signed: int
    key_id: str | None
    checkpoint: str
    """ok | behind | missing | invalid | none (nothing signed yet) | unchecked (no key)"""
    checkpoint_records: int | None
    head_id: int | None
    head_hash: str | None
    problems: list[AuditProblemOut]
    warnings: list[AuditProblemOut]


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
