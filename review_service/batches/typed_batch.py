"""The typed batch that flows through pre-screening: each stage takes a :class:`Batch` and returns a new one.

``Batch`` holds what the stages share and produce — the entries (screening record + document), the chunk vectors
(one embedding pass), the topic checks, duplicate flags, themes, the juror suggestion, the notes, each stage's
provenance and wall time, and the stage errors. It is frozen: a stage returns ``dataclasses.replace(batch, …)``.
The report (``report.build_report``) serialises it once. :class:`StageContext` is what a stage may use besides
the batch; the stages themselves are registered in :mod:`review_service.batches.stage_registry`.
"""
from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from embeddings.encoder import CachedEncoder
from review_service.core.config import Settings
from review_service.core.domain import Check, Document, DuplicateFlag, ParsedDocument, ThemeAssignment
from review_service.core.progress import Progress
from review_service.intake.mailbox.origins import FileOrigin
from review_service.storage import Database


class BatchStopped(Exception):
    """Raised inside a run to stop it (a cancelled job, a job another worker took over, an interrupted ``screen``):
    between stages, and inside a stage by the progress bars' check (``review_service.core.progress``) between files,
    embedding batches and entries; never recorded as a stage error."""


@dataclass(frozen=True)
class Entry:
    """One input file: its screening record as intake wrote it (JSON-ready), its eligibility checks, its text, and
    what its parser read (the render stage lays the pages out from it)."""

    record: Mapping[str, Any]
    checks: tuple[Check, ...]
    document: Document | None = None
    parsed: ParsedDocument | None = None

    @property
    def id(self) -> str:
        return str(self.record["entry_id"])


@dataclass(frozen=True)
class StageError:
    stage: str
    code: str
    message: str


@dataclass(frozen=True)
class Batch:
    id: int
    source: str
    entries: tuple[Entry, ...] = ()
    chunk_vectors: Mapping[str, np.ndarray] = field(default_factory=dict)
    """Per document id: one L2-normalised document-prompt vector per chunk (the batch's one embedding pass)."""
    topic: Mapping[str, Check] = field(default_factory=dict)
    flags: tuple[DuplicateFlag, ...] = ()
    archive_titles: Mapping[str, str] = field(default_factory=dict)
    themes: tuple[ThemeAssignment, ...] = ()
    themes_map: str | None = None
    suggestion: Mapping[str, Any] | None = None
    notes: tuple[Mapping[str, Any], ...] = ()
    timings: Mapping[str, float] = field(default_factory=dict)
    provenance: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    errors: tuple[StageError, ...] = ()

    @cached_property
    def documents(self) -> tuple[Document, ...]:
        """The readable entries that have text, in input order."""
        return tuple(e.document for e in self.entries if e.document is not None and e.document.chunks)

    @cached_property
    def names(self) -> dict[str, str]:
        return {e.id: str(e.record["file_name"]) for e in self.entries}

    def doc_vectors(self, docs: tuple[Document, ...] | None = None) -> np.ndarray:
        """One unit vector per document: the mean of its chunk vectors (themes, matching)."""
        docs = self.documents if docs is None else docs
        rows = []
        for d in docs:
            v = np.asarray(self.chunk_vectors[d.id], dtype=np.float32).mean(axis=0)
            rows.append(v / (np.linalg.norm(v) or 1.0))
        return np.stack(rows) if rows else np.zeros((0, 0), dtype=np.float32)

    def checks_of(self, entry: Entry) -> tuple[Check, ...]:
        """Intake's checks with the topic check replaced by the topic stage's, if it ran."""
        topic = self.topic.get(entry.id)
        if topic is None:
            return entry.checks
        return tuple(c for c in entry.checks if c.name != "topic") + (topic,)

    def with_timing(self, stage: str, seconds: float) -> Batch:
        return dataclasses.replace(self, timings={**self.timings, stage: round(seconds, 2)})

    def with_provenance(self, stage: str, prov: Mapping[str, Any]) -> Batch:
        return dataclasses.replace(self, provenance={**self.provenance, stage: dict(prov)})

    def with_error(self, error: StageError) -> Batch:
        return dataclasses.replace(self, errors=(*self.errors, error))


class StageOptions(Protocol):
    """What a stage reads of the run's options (:class:`review_service.batches.batch.ScreenOptions` has them)."""

    @property
    def stages(self) -> tuple[str, ...]: ...
    @property
    def archive(self) -> Path | None: ...
    @property
    def use_archive(self) -> bool: ...
    @property
    def jurors(self) -> Path | None: ...
    @property
    def jurors_per_entry(self) -> int: ...
    @property
    def notes_lang(self) -> str: ...
    @property
    def generator(self) -> str: ...
    @property
    def themes_k(self) -> int | None: ...


@dataclass
class StageContext:
    """What a stage may use besides the batch: settings, storage, options, the shared encoder, progress, and the
    run's inputs (the files found, the forms read)."""

    settings: Settings
    db: Database
    options: StageOptions
    progress: Progress
    out_dir: Path | None = None
    files: Sequence[Path] = ()
    forms: Mapping[str, dict] = field(default_factory=dict)
    origins: Mapping[Path, FileOrigin] = field(default_factory=dict)
    """The letter each file came in, when the folder was written by ``review-service mailbox`` (mailbox.json)."""
    archive: list[Document] | None = None
    """The archive's documents once read (``document_stages.archive_documents``)."""
    _encoder: CachedEncoder | None = None

    @property
    def encoder(self) -> CachedEncoder:
        """The embedder named in settings, loaded once per process, wrapped in the database's embedding cache."""
        if self._encoder is None:
            from embeddings import load_encoder

            self._encoder = CachedEncoder(load_encoder(self.settings), cache=self.db)
        return self._encoder


Stage = Callable[[StageContext, Batch], Batch]
