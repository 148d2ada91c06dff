"""Composes pre-screening for a batch: intake → embed → topic → duplicates → themes → matching → notes → report.

The stages come from :data:`review_service.batches.registry.REGISTRY`, each taking and returning the typed
:class:`~review_service.batches.batch.Batch`. A stage that fails is reported with its error and the batch goes on. A
:class:`Journal` records what is finished: the CLI's stores every stage's result as an ``ai_results`` row with the
batch id; a job's (:mod:`review_service.batches.job_runner`) also marks the stage done on the job, so a resumed job loads it
instead of running it again. The screening JSON's schema is documented in docs/screening-schema.md.
"""
from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from review_service.batches.batch import (
    STAGES,
    Batch,
    BatchStopped,
    Entry,
    ScreenOptions,
    StageContext,
    StageError,
)
from review_service.batches.registry import REGISTRY, StageSpec
from review_service.batches.report import build_report, final_records
from review_service.core.config import Settings
from review_service.core.domain import Check
from review_service.core.errors import ReviewError
from review_service.core.progress import Progress
from review_service.intake.receive import IntakeItem, list_files, read_forms, take_in_file
from review_service.storage import Database, open_database

logger = logging.getLogger(__name__)

__all__ = ["STAGES", "Journal", "ScreenOptions", "ScreenResult", "StoredStage", "run_screen"]


@dataclass(frozen=True)
class StoredStage:
    payload: Any
    provenance: Mapping[str, Any]
    seconds: float


class Journal:
    """Where a run records its progress. This one (the CLI's) stores each stage's result with the batch id and
    resumes nothing; :class:`review_service.batches.job_runner.JobJournal` also marks stages done on the job and resumes them."""

    def __init__(self, db: Database, batch_id: int) -> None:
        self.db, self.batch_id = db, batch_id

    def completed(self) -> dict[str, StoredStage]:
        return {}

    def stage_started(self, name: str) -> None:
        logger.info("batch %s: stage %s", self.batch_id, name)

    def intake_done(self, errors: list[dict]) -> None:
        pass

    def stage_done(self, name: str, result: str, payload: Any, provenance: Mapping[str, Any], seconds: float) -> None:
        if result and payload is not None:
            self.db.save_ai_result(result, payload, dict(provenance), batch_id=self.batch_id)

    def check_cancel(self) -> None:
        pass

    def listener(self, desc: str, done: int, total: int) -> None:
        pass


@dataclass
class ScreenResult:
    report: dict
    batch: Batch | None = None
    items: list[IntakeItem] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        summary = self.report["summary"]
        attention = summary["needs_attention"] + summary["failed"] + len(self.report["stage_errors"])
        return 1 if attention or summary["forms_without_file"] else 0


def run_screen(folder: Path, settings: Settings, options: ScreenOptions | None = None,
               db: Database | None = None, out_dir: Path | None = None, *, batch_id: int | None = None,
               journal_factory=None) -> ScreenResult:
    """Screen every file under ``folder``. ``batch_id``: continue that batch (a job) instead of starting one;
    ``journal_factory(db, batch_id)``: the :class:`Journal` to record progress in."""
    options = options or ScreenOptions()
    own_db = db is None
    db = db or open_database(settings)
    try:
        folder = Path(folder)
        files = list_files(folder)  # InputError (exit 2) before anything is recorded
        batch_id = batch_id if batch_id is not None else db.start_batch(str(folder.resolve()))
        journal = (journal_factory or Journal)(db, batch_id)
        return _run(folder, files, settings, options, db, out_dir, batch_id, journal)
    finally:
        if own_db:
            db.close()


def intake_errors(records: list[dict]) -> list[dict]:
    """Per-file errors (files that could not be read), for the job status."""
    return [{"file_name": r["file_name"], "code": r["reasons"][0]["code"] if r["reasons"] else "failed",
             "message": r["reasons"][0]["message"] if r["reasons"] else ""}
            for r in records if r["status"] == "failed"]


def _run(folder: Path, files: list[Path], settings: Settings, options: ScreenOptions, db: Database,
         out_dir: Path | None, batch_id: int, journal: Journal) -> ScreenResult:
    started = time.monotonic()
    # the journal's check stops the run inside a stage's loop (between files, embedding batches, entries)
    progress = Progress(enabled=options.progress, listener=journal.listener, check=journal.check_cancel)
    forms = read_forms(options.forms) if options.forms else {}
    if forms:
        db.save_forms(forms)
    if options.jurors:  # the jurors file names the jury: juror accounts link to its profiles
        from review_service.contest.accounts import register_jury
        from review_service.stages.matching.profiles import read_jurors

        register_jury(db, read_jurors(options.jurors), actor=f"system:batch-{batch_id}")
    items: list[IntakeItem] = []
    journal.check_cancel()
    journal.stage_started("intake")
    with progress(len(files), "intake", "file") as bar:
        for path in files:
            bar.set_postfix_str(path.name[:40])
            items.append(take_in_file(path, settings, db, forms, batch_id))
            bar.update()
    journal.intake_done(intake_errors([it.record for it in items]))
    intake_s = time.monotonic() - started
    render_s = render_originals(items, settings, journal, progress)
    entries = tuple(Entry(record=it.record, checks=tuple(Check(**c) for c in it.record["checks"]),
                          document=it.document) for it in items)
    batch = Batch(id=batch_id, source=str(folder), entries=entries).with_timing("intake", intake_s)
    if render_s is not None:
        batch = batch.with_timing("render", render_s)

    ctx = StageContext(settings=settings, db=db, options=options, progress=progress, out_dir=out_dir)
    done = journal.completed()
    if batch.documents and any(s in options.stages for s in STAGES):
        for spec in REGISTRY.values():
            if spec.skippable and spec.name not in options.stages:
                continue
            journal.check_cancel()  # between stages; inside one, the progress bars' check
            batch = _stage(spec, ctx, batch, journal, done.get(spec.name))

    records = final_records(batch)
    for record in records:
        db.save_submission(record, batch_id)
    batch = batch.with_timing("total", time.monotonic() - started)
    report = build_report(batch, settings, forms=forms, records=records)
    db.finish_batch(batch_id)
    return ScreenResult(report=report, batch=batch, items=items)


def render_originals(items: list[IntakeItem], settings: Settings, journal: Journal, progress: Progress) -> float | None:
    """DOCX and PPTX originals → PDF renditions (:mod:`review_service.intake.renditions`), each recorded on its screening
    record as ``rendition``; the seconds it took, or None when nothing was to be rendered. Cached renditions (a
    resumed batch, a file taken in before) are not made again; a failure is recorded, never raised."""
    from review_service.intake import renditions

    jobs = [renditions.Job(it.record["sha256"], settings.data_dir / it.record["stored_as"], it.parsed.format,
                           it.parsed.blocks, it.parsed.slides)
            for it in items if it.parsed is not None and renditions.renderable(it.parsed.format)]
    if not jobs:
        return None
    started = time.monotonic()
    if renditions.enabled(settings):
        journal.stage_started("render")
        with progress(len(jobs), "render", "file") as bar:
            def tick(n: int) -> None:
                bar.update(n)
                journal.check_cancel()

            found = renditions.render_batch(jobs, settings, progress=tick)
    else:  # only what earlier runs recorded
        found = renditions.render_batch(jobs, settings)
    for it in items:
        rendition = found.get(it.record["sha256"])
        if rendition is not None and it.parsed is not None and renditions.renderable(it.parsed.format):
            it.record["rendition"] = rendition.summary()
    return time.monotonic() - started


def _stage(spec: StageSpec, ctx: StageContext, batch: Batch, journal: Journal, stored: StoredStage | None) -> Batch:
    if stored is not None and spec.load is not None:
        logger.info("batch %s: stage %s already done; loading its result", batch.id, spec.name)
        return spec.load(batch, stored.payload, stored.provenance).with_timing(spec.name, stored.seconds)
    journal.stage_started(spec.name)
    started = time.monotonic()
    try:
        out = spec.run(ctx, batch)
    except ReviewError as exc:
        logger.error("stage %s: %s", spec.name, exc)
        return batch.with_error(StageError(spec.name, exc.code, str(exc))).with_timing(
            spec.name, time.monotonic() - started)
    except BatchStopped:  # cancelled, or the job was taken over: not a stage error
        raise
    except Exception as exc:
        logger.exception("stage %s failed", spec.name)  # one broken stage must not lose the batch
        return batch.with_error(StageError(spec.name, "internal_error", f"{type(exc).__name__}: {exc}")).with_timing(
            spec.name, time.monotonic() - started)
    out = out.with_timing(spec.name, time.monotonic() - started)
    payload = spec.dump(out) if spec.dump is not None else None
    journal.stage_done(spec.name, spec.result, payload, out.provenance.get(spec.name, {}), out.timings[spec.name])
    return out

