"""Composes pre-screening for a batch: intake → render → embed → topic → duplicates → themes → matching → notes →
report.

The stages come from :data:`review_service.batches.stage_registry.REGISTRY`, in its order, each taking and
returning the typed :class:`~review_service.batches.typed_batch.Batch`; the pipeline knows none by name, only the flags each
declares (skippable, per file, when it has work, how its result is stored and loaded). A document stage that fails
is reported with its error and the batch goes on. The run reports through one :class:`~.reporting.Reporter`: the
default (:class:`~.reporting.ResultJournal`) stores every finished stage's result as an ``ai_results`` row with the
batch id; a job's (:mod:`review_service.batches.job_runner`) also marks the stage done on the job, and passes the
stages its earlier runs finished (:func:`stored_stages`), which are loaded instead of run again. The screening
JSON's schema is documented in docs/screening-schema.md.
"""
from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from review_service.batches.batch import ScreenOptions
from review_service.batches.file_stages import file_errors
from review_service.batches.report import build_report, final_records
from review_service.batches.reporting import (
    FilesFailed,
    Reporter,
    ResultJournal,
    StageFinished,
    StageProgress,
    StageStarted,
    StoredStage,
)
from review_service.batches.stage_registry import REGISTRY, STAGES, StageSpec
from review_service.batches.typed_batch import Batch, BatchStopped, StageContext, StageError
from review_service.core.config import Settings
from review_service.core.errors import ReviewError
from review_service.core.progress import Progress
from review_service.intake.mailbox.origins import read_origins
from review_service.intake.receive import list_files, read_forms
from review_service.storage import Database, open_database

logger = logging.getLogger(__name__)

__all__ = ["ScreenResult", "run_screen", "stored_stages"]


@dataclass
class ScreenResult:
    report: dict
    batch: Batch | None = None

    @property
    def exit_code(self) -> int:
        summary = self.report["summary"]
        attention = summary["needs_attention"] + summary["failed"] + len(self.report["stage_errors"])
        return 1 if attention or summary["forms_without_file"] else 0


def run_screen(folder: Path, settings: Settings, options: ScreenOptions | None = None,
               db: Database | None = None, out_dir: Path | None = None, *, batch_id: int | None = None,
               reporter: Reporter | None = None, stored: Mapping[str, StoredStage] | None = None) -> ScreenResult:
    """Screen every file under ``folder``. ``batch_id``: continue that batch (a job) instead of starting one;
    ``reporter``: where progress goes (default: a :class:`~.reporting.ResultJournal` of the batch); ``stored``: the
    stages an earlier run finished, by name, loaded instead of run."""
    options = options or ScreenOptions()
    own_db = db is None
    db = db or open_database(settings)
    try:
        folder = Path(folder)
        files = list_files(folder)  # InputError (exit 2) before anything is recorded
        batch_id = batch_id if batch_id is not None else db.start_batch(str(folder.resolve()))
        return _run(folder, files, settings, options, db, out_dir, batch_id, reporter or ResultJournal(db, batch_id),
                    stored or {})
    finally:
        if own_db:
            db.close()


def stored_stages(db: Database, batch_id: int, stages_done: Mapping[str, float]) -> dict[str, StoredStage]:
    """What a job's earlier runs finished (``stages_done``: name → seconds) and stored, read back for resuming:
    stages without a ``load`` (they run again) are left out."""
    out: dict[str, StoredStage] = {}
    for name, seconds in stages_done.items():
        spec = REGISTRY.get(name)
        if spec is None or spec.load is None:
            continue
        found = db.latest_ai_result(spec.result, batch_id)
        out[name] = StoredStage(found["payload"] if found else None, found["provenance"] if found else {},
                                float(seconds))
    return out


def _runs(spec: StageSpec, ctx: StageContext, batch: Batch) -> bool:
    """Whether ``spec`` runs on this batch: chosen (or not skippable), and with work to do."""
    if spec.skippable and spec.name not in ctx.options.stages:
        return False
    if not spec.per_file and not (batch.documents and any(s in ctx.options.stages for s in STAGES)):
        return False  # the document stages need text, and one of them asked for
    return spec.applies is None or spec.applies(ctx, batch)


def _run(folder: Path, files: list[Path], settings: Settings, options: ScreenOptions, db: Database,
         out_dir: Path | None, batch_id: int, reporter: Reporter, stored: Mapping[str, StoredStage]) -> ScreenResult:
    started = time.monotonic()

    def listener(desc: str, done: int, total: int) -> None:
        reporter.event(StageProgress(desc, done, total))

    # the reporter's check stops the run inside a stage's loop (between files, embedding batches, entries)
    progress = Progress(enabled=options.progress, listener=listener, check=reporter.check_cancel)
    forms = read_forms(options.forms) if options.forms else {}
    if forms:
        db.save_forms(forms)
    if options.jurors:  # the jurors file names the jury: juror accounts link to its profiles
        from review_service.contest.accounts import register_jury
        from review_service.stages.matching.profiles import read_jurors

        register_jury(db, read_jurors(options.jurors), actor=f"system:batch-{batch_id}")

    origins = {folder / rel: origin for rel, origin in read_origins(folder).items()}  # a mailbox's folder
    ctx = StageContext(settings=settings, db=db, options=options, progress=progress, out_dir=out_dir,
                       files=tuple(files), forms=forms, origins=origins)
    batch = Batch(id=batch_id, source=str(folder))
    for spec in REGISTRY.values():
        if not _runs(spec, ctx, batch):
            continue
        reporter.check_cancel()  # between stages; inside one, the progress bars' check
        batch = _stage(spec, ctx, batch, reporter, stored.get(spec.name))

    records = final_records(batch)
    for record in records:
        db.save_submission(record, batch_id)
    batch = batch.with_timing("total", time.monotonic() - started)
    report = build_report(batch, settings, forms=forms, records=records)
    db.finish_batch(batch_id)
    return ScreenResult(report=report, batch=batch)


def _stage(spec: StageSpec, ctx: StageContext, batch: Batch, reporter: Reporter, stored: StoredStage | None) -> Batch:
    if stored is not None and spec.load is not None:
        logger.info("batch %s: stage %s already done; loading its result", batch.id, spec.name)
        return spec.load(batch, stored.payload, stored.provenance).with_timing(spec.name, stored.seconds)
    reporter.event(StageStarted(spec.name))
    started = time.monotonic()
    if spec.per_file:  # each file's failure is in its record; what is raised stops the batch
        out = spec.run(ctx, batch).with_timing(spec.name, time.monotonic() - started)
        reporter.event(FilesFailed(file_errors(out)))
        return out
    try:
        out = spec.run(ctx, batch)
    except BatchStopped:  # cancelled, or the job was taken over: not a stage error
        raise
    except ReviewError as exc:
        logger.error("stage %s: %s", spec.name, exc)
        return batch.with_error(StageError(spec.name, exc.code, str(exc))).with_timing(
            spec.name, time.monotonic() - started)
    except Exception as exc:
        logger.exception("stage %s failed", spec.name)  # one broken stage must not lose the batch
        return batch.with_error(StageError(spec.name, "internal_error", f"{type(exc).__name__}: {exc}")).with_timing(
            spec.name, time.monotonic() - started)
    out = out.with_timing(spec.name, time.monotonic() - started)
    payload = spec.dump(out) if spec.dump is not None else None
    reporter.event(StageFinished(spec.name, out.timings[spec.name], spec.result, payload,
                                 out.provenance.get(spec.name, {})))
    return out
