"""Batches at the API boundary: a queued job's id and state, and a job's status."""
from __future__ import annotations

from typing import Any

from pydantic import BaseModel


class BatchStarted(BaseModel):
    id: int
    state: str


class BatchStatus(BaseModel):
    id: int
    state: str  # queued | running | done | failed | cancelled
    stage: str
    done: int
    total: int
    timings_s: dict[str, float]
    errors: list[dict[str, Any]]
    batch_id: int
    message: str = ""
    stale: bool = False
    """A running job whose worker stopped sending heartbeats (killed): the next worker takes it over."""
