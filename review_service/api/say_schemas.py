"""The juror's own say and the progress board at the API boundary."""
from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from review_service.contest.declarations import MAX_NOTE

Reason = Literal["", "personal", "workplace", "involved", "expertise", "language", "other"]


class DeclarationIn(BaseModel):
    """``none``: no conflict, open the entry; ``conflict``: a conflict of interest; ``abstain``: the juror does
    not review it. A conflict or abstention needs a ``reason`` (and ``note`` words for ``other``); it is final
    and takes the entry out of the juror's list."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"kind": "conflict", "reason": "workplace", "note": "I work in the same library."}]})
    kind: Literal["none", "conflict", "abstain"]
    reason: Reason = ""
    note: str = Field(default="", max_length=MAX_NOTE)


class DeclarationOut(BaseModel):
    entry: str = Field(description="the entry's id, or (for a juror in blind review) its neutral code")
    juror: str
    kind: str
    reason: str
    note: str
    at: str


class SuggestedJuror(BaseModel):
    juror: str
    affinity: float | None


class DeclaredOut(DeclarationOut):
    actor: str
    in_draft: bool = Field(description="the current draft still has the juror on the entry")
    suggested: SuggestedJuror | None = Field(description="the solver's replacement (a suggestion: an organizer "
                                                         "edits the draft and publishes)")


class CellOut(BaseModel):
    juror: str
    entry: str
    status: Literal["not_started", "draft", "submitted", "abstained", "conflict"]
    deadline: datetime
    overdue: bool
    source: str = Field(description="a conflict: juror (declared) or matching (found and blocked)")


class ProgressOut(BaseModel):
    deadline: datetime
    counts: dict[str, int]
    jurors: list[str]
    entries: list[str]
    cells: list[CellOut]


class ExtensionIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"scope": "juror", "target": "j01", "until": "2026-11-22T23:59:59+05:00", "reason": "ill for two days"}]})
    scope: Literal["juror", "entry"]
    target: str = Field(min_length=1, max_length=200)
    until: datetime = Field(description="the new deadline, with its time zone; later than the scoring deadline")
    reason: str = Field(default="", max_length=500)


class ExtensionOut(BaseModel):
    id: int
    scope: str
    target: str
    until: str
    reason: str
    actor: str
    at: str


class RemindersOut(BaseModel):
    sent: list[str]
    no_email: list[str]
    failed: list[str]
