"""How a pre-screening run tells what it does: one small protocol, :class:`Reporter`.

The pipeline (:mod:`review_service.batches.pipeline`) sends a :class:`Reporter` an :data:`Event` as things happen —
a stage starts (:class:`StageStarted`), a progress bar moves (:class:`StageProgress`), the per-file stages leave
files that could not be read (:class:`FilesFailed`), a document stage finishes with the result to keep
(:class:`StageFinished`) — and asks it, between stages and at every progress update inside one, whether to stop
(:meth:`Reporter.check_cancel` raises :class:`~review_service.batches.typed_batch.BatchStopped`).

:class:`ResultJournal` (``run_screen`` without a reporter: a batch of its own, resuming nothing) stores each
finished stage's result with the batch id; a job's :class:`~review_service.batches.job_runner.JobJournal` also marks
the stage done on the job, writes progress and per-file errors to the job row, and stops a cancelled job.
"""
from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from review_service.storage import Database

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class StageStarted:
    stage: str


@dataclass(frozen=True)
class StageProgress:
    """A progress bar of the current stage moved (throttled; the first and last updates always come)."""

    desc: str
    done: int
    total: int


@dataclass(frozen=True)
class FilesFailed:
    """After a per-file stage: every file that could not be read so far (``file_name``, ``code``, ``message``)."""

    errors: Sequence[Mapping[str, Any]]


@dataclass(frozen=True)
class StageFinished:
    """A document stage ran to its end: its time and the result to keep (``result``: the ``ai_results`` stage it
    is stored under, "" with ``payload`` None when nothing is stored)."""

    stage: str
    seconds: float
    result: str = ""
    payload: Any = None
    provenance: Mapping[str, Any] = field(default_factory=dict)


Event = StageStarted | StageProgress | FilesFailed | StageFinished


class Reporter(Protocol):
    """Where a run reports: the job's journal, the CLI's, a test's."""

    def event(self, event: Event) -> None:
        """Record what happened; may raise ``BatchStopped`` (the job is no longer this worker's)."""

    def check_cancel(self) -> None:
        """Raise ``BatchStopped`` when the run must stop; cheap (called at every progress update)."""


@dataclass(frozen=True)
class StoredStage:
    """A finished stage of an earlier run of the batch, as stored: loaded on resume instead of run again."""

    payload: Any
    provenance: Mapping[str, Any]
    seconds: float


class ResultJournal:
    """The reporter of a run that is not a job: stores each finished stage's result with the batch id (the
    ``ai_results`` rows the pages read), logs each stage, never stops the run."""

    def __init__(self, db: Database, batch_id: int) -> None:
        self.db, self.batch_id = db, batch_id

    def event(self, event: Event) -> None:
        if isinstance(event, StageStarted):
            logger.info("batch %s: stage %s", self.batch_id, event.stage)
        elif isinstance(event, StageFinished) and event.result and event.payload is not None:
            self.db.save_ai_result(event.result, event.payload, dict(event.provenance), batch_id=self.batch_id)

    def check_cancel(self) -> None:
        pass
