"""Pre-screening as a job: queued in the database, run by workers, watched and cancelled over the API.

- :func:`submit` queues a job (``POST /batches``); the API never runs one in a request thread.
- :func:`run_worker` (``review-service worker``) takes queued jobs (:class:`~review_service.storage.jobs.JobStore`)
  and runs each with :func:`run_job`, sending heartbeats from a thread; a job whose worker stopped sending them
  (killed, machine gone) is taken over by another worker after ``REVIEW_JOB_STALE_S`` seconds.
- :func:`run_in_process` is what ``review-service screen`` does: the same job, run at once in this process.

Resume: intake commits each file (and its parse) as it goes; each finished stage's result is stored as an
``ai_results`` row with the batch id and the stage marked done on the job in the same transaction, so a resumed
job takes in the files again from the parse cache, loads finished stages' results instead of running them, and
finds its chunk vectors in the embedding cache. See docs/jobs.md.
"""
from __future__ import annotations

import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from review_service.batch import BatchStopped, ScreenOptions
from review_service.config import Settings
from review_service.errors import ReviewError
from review_service.intake import list_files
from review_service.pipeline import Journal, ScreenResult, StoredStage, run_screen
from review_service.report import write_report
from review_service.screen_stages import REGISTRY
from review_service.storage import Database, open_database
from review_service.storage.jobs import JobStore

logger = logging.getLogger(__name__)


class JobCancelled(BatchStopped):
    """Someone asked for the job to stop (``POST /batches/{id}/cancel``)."""


class JobLost(BatchStopped):
    """Another worker took the job over (this one's heartbeats were late)."""


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


def report_dir(settings: Settings, job_id: int) -> Path:
    return settings.data_dir / "reports" / f"job-{job_id}"


def submit(db: Database, folder: Path, options: ScreenOptions, *, created_by: str = "") -> dict:
    """Queue a pre-screening job for the files under ``folder``; the new job (state ``queued``)."""
    folder = Path(folder).resolve()
    list_files(folder)  # a missing folder is the caller's error now, not the worker's later
    params = {"folder": str(folder), "options": ScreenOptions.to_json(options)}
    return JobStore(db).create(str(folder), params, created_by=created_by)


class JobJournal(Journal):
    """Records a job's progress on its row: current stage, done/total, finished stages with their results."""

    def __init__(self, db: Database, batch_id: int, *, store: JobStore, job: Mapping[str, Any], worker: str,
                 lost: threading.Event, cancel: threading.Event) -> None:
        super().__init__(db, batch_id)
        self.store, self.job, self.worker = store, job, worker
        self.lost, self.cancel = lost, cancel
        self._stage = "intake"

    def completed(self) -> dict[str, StoredStage]:
        out: dict[str, StoredStage] = {}
        for name, seconds in self.job["stages_done"].items():
            spec = REGISTRY.get(name)
            if spec is None or spec.load is None:
                continue
            found = self.db.latest_ai_result(spec.result, self.batch_id)
            out[name] = StoredStage(found["payload"] if found else None, found["provenance"] if found else {},
                                    float(seconds))
        return out

    def stage_started(self, name: str) -> None:
        self._stage = name
        self._heard(*self.store.progress(self.job["id"], self.worker, stage=name))

    def intake_done(self, errors: list[dict]) -> None:
        self.store.set_errors(self.job["id"], errors)

    def stage_done(self, name: str, result: str, payload: Any, provenance: Mapping[str, Any], seconds: float) -> None:
        if not self.store.stage_done(self.job["id"], self.worker, self.batch_id, stage=name, result=result,
                                     payload=payload, provenance=dict(provenance), seconds=seconds):
            raise JobLost(f"job {self.job['id']} was taken over by another worker")
        logger.info("stage %s done in %.0f s", name, seconds)

    def check_cancel(self) -> None:
        """Called between stages and by every progress update inside one (cheap: two flags, set by the heartbeat
        thread and by :meth:`listener`)."""
        if self.lost.is_set():
            raise JobLost(f"job {self.job['id']} was taken over by another worker")
        if self.cancel.is_set():
            raise JobCancelled(f"job {self.job['id']} was cancelled")

    def listener(self, desc: str, done: int, total: int) -> None:
        self._heard(*self.store.progress(self.job["id"], self.worker, done=done, total=total))

    def _heard(self, mine: bool, cancelled: bool) -> None:
        """What a progress write learnt: the job is no longer ours, or someone asked it to stop."""
        if not mine:
            self.lost.set()
        if cancelled:
            self.cancel.set()


def _heartbeats(store: JobStore, job_id: int, worker: str, every_s: float, stop: threading.Event,
                lost: threading.Event, cancel: threading.Event) -> None:
    while not stop.wait(every_s):
        try:
            mine, cancelled = store.heartbeat(job_id, worker)
        except Exception:  # a database hiccup: try again at the next beat
            logger.warning("heartbeat of job %s failed", job_id, exc_info=True)
            continue
        if not mine:
            lost.set()
            return
        if cancelled:
            cancel.set()


def run_job(db: Database, job: Mapping[str, Any], settings: Settings, worker: str) -> ScreenResult | None:
    """Run (or resume) a claimed job to its end; the result, or None when it was cancelled or taken over."""
    store = JobStore(db)
    params = job["params"]
    options = ScreenOptions.from_json({**params["options"], "progress": params.get("progress", False)})
    out_dir = Path(params.get("out_dir") or report_dir(settings, job["id"]))
    stop, lost, cancel = threading.Event(), threading.Event(), threading.Event()
    if job.get("cancel_requested"):
        cancel.set()
    beat = threading.Thread(target=_heartbeats, args=(store, job["id"], worker, settings.job_heartbeat_s, stop, lost,
                                                      cancel), name=f"heartbeat-{job['id']}", daemon=True)
    beat.start()

    def journal(db_: Database, batch_id: int) -> JobJournal:
        return JobJournal(db_, batch_id, store=store, job=job, worker=worker, lost=lost, cancel=cancel)

    try:
        result = run_screen(Path(params["folder"]), settings, options, db, out_dir, batch_id=job["batch_id"],
                            journal_factory=journal)
        write_report(result.report, out_dir, options.report_lang)
        store.finish(job["id"], worker, "done", timings=result.report["timings_s"])
        return result
    except JobCancelled:
        store.finish(job["id"], worker, "cancelled", message="cancelled; POST /batches/{id}/resume carries on")
        return None
    except JobLost:
        logger.warning("job %s was taken over by another worker; this one stops", job["id"])
        return None
    except ReviewError as exc:
        store.finish(job["id"], worker, "failed", message=f"[{exc.code}] {exc.message}")
        raise
    except BaseException as exc:
        store.finish(job["id"], worker, "failed", message=f"{type(exc).__name__}: {exc}")
        raise
    finally:
        stop.set()
        beat.join(timeout=5)


def run_in_process(settings: Settings, folder: Path, options: ScreenOptions, out_dir: Path,
                   db: Database | None = None) -> ScreenResult:
    """``review-service screen``: a job created running for this process and run here, progress on the terminal."""
    own = db is None
    db = db or open_database(settings)
    try:
        folder = Path(folder)
        list_files(folder)
        worker = f"cli:{worker_name()}"
        params = {"folder": str(folder.resolve()), "options": ScreenOptions.to_json(options),
                  "out_dir": str(Path(out_dir).resolve()), "progress": options.progress}
        job = JobStore(db).create(str(folder.resolve()), params, state="running", worker=worker)
        result = run_job(db, job, settings, worker)
        if result is None:
            raise ReviewError("the job stopped before it finished")
        return result
    finally:
        if own:
            db.close()


def run_worker(settings: Settings, *, once: bool = False, drain: bool = False, wait_s: float = 0.0,
               poll_s: float = 1.0, worker: str | None = None, stop: threading.Event | None = None) -> int:
    """Take jobs from the database and run them; the number run.

    ``once``: one job at most (waiting up to ``wait_s`` seconds for one); ``drain``: until no job is left to take;
    otherwise until ``stop`` is set (or the process is stopped), polling every ``poll_s`` seconds.
    """
    worker = worker or worker_name()
    stop = stop or threading.Event()
    db = open_database(settings)
    store = JobStore(db)
    ran = 0
    deadline = time.monotonic() + wait_s
    try:
        while not stop.is_set():
            job = store.claim(worker, stale_s=settings.job_stale_s)
            if job is None:
                if drain or (once and time.monotonic() >= deadline):
                    break
                stop.wait(poll_s)
                continue
            logger.info("worker %s: job %s (batch %s, attempt %s)", worker, job["id"], job["batch_id"],
                        job["attempts"])
            try:
                run_job(db, job, settings, worker)
            except Exception:
                logger.exception("job %s failed", job["id"])
            ran += 1
            if once:
                break
    finally:
        db.close()
    return ran
