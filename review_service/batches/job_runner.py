"""Pre-screening as a job: queued in the database, run by workers, watched and cancelled over the API.

- :func:`submit` queues a job (``POST /batches``); the API never runs one in a request thread.
- :func:`run_worker` (``review-service worker``) takes queued jobs (:class:`~review_service.storage.job_store.JobStore`)
  and runs each with :func:`run_job`, sending heartbeats from a thread; a job whose worker stopped sending them
  (killed, machine gone) is taken over by another worker after ``REVIEW_JOB_STALE_S`` seconds.
- :func:`run_in_process` is what ``review-service screen`` does: the same job, run at once in this process. Run
  again on the same inputs it resumes its own unfinished job (cancelled, failed, interrupted, or left running by a
  process that was killed). SIGINT and SIGTERM mark the job ``cancelled`` ("interrupted") before the process exits.

Resume: intake commits each file (and its parse) as it goes; each finished stage's result is stored as an
``ai_results`` row with the batch id and the stage marked done on the job in the same transaction, so a resumed
job takes in the files again from the parse cache, loads finished stages' results instead of running them, and
finds its chunk vectors in the embedding cache. See docs/jobs.md.
"""
from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import logging
import os
import signal
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

from review_service.batches.batch import ScreenOptions
from review_service.batches.pipeline import ScreenResult, run_screen, stored_stages
from review_service.batches.report import write_report
from review_service.batches.reporting import Event, FilesFailed, StageFinished, StageProgress, StageStarted
from review_service.batches.typed_batch import BatchStopped
from review_service.batches.uploads import discard_job_uploads
from review_service.core.config import Settings, for_edition
from review_service.core.errors import JobBusy, ReviewError
from review_service.intake.receive import list_files
from review_service.storage import Database, edition_scope, open_database
from review_service.storage.edition_store import EditionStore
from review_service.storage.job_store import JobStore

logger = logging.getLogger(__name__)


class JobCancelled(BatchStopped):
    """Someone asked for the job to stop (``POST /batches/{id}/cancel``)."""


class JobLost(BatchStopped):
    """Another worker took the job over (this one's heartbeats were late)."""


class Interrupted(KeyboardInterrupt):
    """SIGINT or SIGTERM reached ``screen``; the CLI exits with ``exit_code`` (130 for SIGINT, 143 for SIGTERM)."""

    def __init__(self, signum: int, message: str = "") -> None:
        super().__init__(message or f"interrupted ({signal.Signals(signum).name})")
        self.signum, self.exit_code = signum, 128 + signum


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


def _is_dead_here(worker: str | None) -> bool:
    """The worker was a process on this machine that no longer exists (``worker_name``: host:pid:…)."""
    parts = (worker or "").removeprefix("cli:").split(":")
    if len(parts) < 3 or parts[0] != socket.gethostname() or not parts[1].isdigit():
        return False
    pid = int(parts[1])
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except OSError:  # exists, another user's
        return False
    return False


def heartbeat_age(job: Mapping[str, Any]) -> float | None:
    """Seconds since a running job's last heartbeat (None when it is not running)."""
    if job["state"] != "running" or job.get("heartbeat_at") is None:
        return None
    return max(0.0, time.time() - float(job["heartbeat_at"]))


def stale_note(job: Mapping[str, Any], stale_s: float) -> str:
    """For a running job whose worker stopped sending heartbeats (killed, machine gone): what happened and what
    comes next; "" otherwise. ``state`` stays ``running`` until a worker (or ``screen``) takes it over."""
    age = heartbeat_age(job)
    if age is None or age <= stale_s:
        return ""
    again = " or run the same screen command again" if str(job.get("worker") or "").startswith("cli:") else ""
    return (f"stale: no heartbeat from {job['worker']} for {age:.0f} s (stopped or killed); the next "
            f"`review-service worker`{again} takes the job over and resumes it (finished stages are kept)")


def report_dir(settings: Settings, job_id: int) -> Path:
    return settings.data_dir / "reports" / f"job-{job_id}"


def submit(db: Database, folder: Path, options: ScreenOptions, *, created_by: str = "") -> dict:
    """Queue a pre-screening job for the files under ``folder``; the new job (state ``queued``)."""
    folder = Path(folder).resolve()
    list_files(folder)  # a missing folder is the caller's error now, not the worker's later
    params = {"folder": str(folder), "options": ScreenOptions.to_json(options)}
    return JobStore(db).create(str(folder), params, created_by=created_by)


class JobJournal:
    """The :class:`~review_service.batches.reporting.Reporter` of a job: records its progress on its row (current
    stage, done/total, per-file errors, finished stages with their results) and stops it when it is cancelled or
    taken over."""

    def __init__(self, db: Database, batch_id: int, *, store: JobStore, job: Mapping[str, Any], worker: str,
                 lost: threading.Event, cancel: threading.Event) -> None:
        self.db, self.batch_id = db, batch_id
        self.store, self.job, self.worker = store, job, worker
        self.lost, self.cancel = lost, cancel

    def event(self, event: Event) -> None:
        job_id = self.job["id"]
        if isinstance(event, StageStarted):
            self._heard(*self.store.progress(job_id, self.worker, stage=event.stage))
        elif isinstance(event, StageProgress):
            self._heard(*self.store.progress(job_id, self.worker, done=event.done, total=event.total))
        elif isinstance(event, FilesFailed):
            self.store.set_errors(job_id, [dict(e) for e in event.errors])
        elif isinstance(event, StageFinished):
            if not self.store.stage_done(job_id, self.worker, self.batch_id, stage=event.stage, result=event.result,
                                         payload=event.payload, provenance=dict(event.provenance),
                                         seconds=event.seconds):
                raise JobLost(f"job {job_id} was taken over by another worker")
            logger.info("stage %s done in %.0f s", event.stage, event.seconds)

    def check_cancel(self) -> None:
        """Called between stages and by every progress update inside one (cheap: two flags, set by the heartbeat
        thread and by the progress writes)."""
        if self.lost.is_set():
            raise JobLost(f"job {self.job['id']} was taken over by another worker")
        if self.cancel.is_set():
            raise JobCancelled(f"job {self.job['id']} was cancelled")

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


def run_job(db: Database, job: Mapping[str, Any], settings: Settings, worker: str, *,
            resume_hint: str = "", requeue_on_interrupt: bool = False) -> ScreenResult | None:
    """:func:`_run_job` in the job's edition, with that edition's set-up (deadline, age limit, file-name rule …)."""
    edition_id = int(job.get("edition_id") or 1)
    with edition_scope.scoped(edition_id):
        settings = for_edition(settings, EditionStore(db).get(edition_id))
        return _run_job(db, job, settings, worker, resume_hint=resume_hint, requeue_on_interrupt=requeue_on_interrupt)


def _run_job(db: Database, job: Mapping[str, Any], settings: Settings, worker: str, *,
             resume_hint: str = "", requeue_on_interrupt: bool = False) -> ScreenResult | None:
    """Run (or resume) a claimed job to its end; the result, or None when it was cancelled or taken over.

    Interrupted (SIGINT/SIGTERM in this process: ``KeyboardInterrupt``), the job is marked ``cancelled`` with the
    message "interrupted (…); ``resume_hint``" — or, with ``requeue_on_interrupt`` (a ``worker`` being stopped),
    put back in the queue for the next worker — and the interrupt goes on up."""
    store = JobStore(db)
    resume_hint = resume_hint or f"POST /batches/{job['id']}/resume carries on"
    params = job["params"]
    options = ScreenOptions.from_json({**params["options"], "progress": params.get("progress", False)})
    out_dir = Path(params.get("out_dir") or report_dir(settings, job["id"]))
    stop, lost, cancel = threading.Event(), threading.Event(), threading.Event()
    if job.get("cancel_requested"):
        cancel.set()
    beat = threading.Thread(target=_heartbeats, args=(store, job["id"], worker, settings.job_heartbeat_s, stop, lost,
                                                      cancel), name=f"heartbeat-{job['id']}", daemon=True)
    beat.start()

    journal = JobJournal(db, job["batch_id"], store=store, job=job, worker=worker, lost=lost, cancel=cancel)
    try:
        stored = stored_stages(db, job["batch_id"], job["stages_done"])
        result = run_screen(Path(params["folder"]), settings, options, db, out_dir, batch_id=job["batch_id"],
                            reporter=journal, stored=stored)
        write_report(result.report, out_dir, options.report_lang, settings.timezone)
        store.finish(job["id"], worker, "done", timings=result.report["timings_s"])
        discard_job_uploads(settings, job)  # uploaded files: intake kept the originals (review_service.batches.uploads)
        return result
    except JobCancelled:
        store.finish(job["id"], worker, "cancelled", message=f"cancelled; {resume_hint}")
        discard_job_uploads(settings, job)
        return None
    except JobLost:
        logger.warning("job %s was taken over by another worker; this one stops", job["id"])
        return None
    except KeyboardInterrupt as exc:
        reason = exc.args[0] if isinstance(exc, Interrupted) else "interrupted (SIGINT)"
        if requeue_on_interrupt:
            store.release(job["id"], worker, message=f"worker {worker} stopped ({reason}); queued again, the next "
                                                     f"worker resumes it")
        else:
            store.finish(job["id"], worker, "cancelled", message=f"{reason}; {resume_hint}")
        raise
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
                   db: Database | None = None, say: Callable[[str], None] = logger.info) -> ScreenResult:
    """``review-service screen``: a job running in this process, progress on the terminal.

    Its own unfinished job on the same inputs (same folder, files, options and report folder) is resumed rather than
    a new one started: cancelled, failed or interrupted, or still ``running`` but left by a process that is gone
    (its heartbeat stale, or a process of this machine that no longer exists). SIGINT/SIGTERM mark the job cancelled
    and raise :class:`Interrupted`. ``say`` tells the user which job is resumed."""
    own = db is None
    db = db or open_database(settings)
    try:
        folder = Path(folder).resolve()
        options = _absolute(options)
        worker = f"cli:{worker_name()}"
        params = {"folder": str(folder), "options": ScreenOptions.to_json(options),
                  "out_dir": str(Path(out_dir).resolve()), "progress": options.progress,
                  "inputs": _fingerprint(folder, options)}
        with _signals_interrupt():
            job = _resume_own(JobStore(db), params, worker, settings, say) or JobStore(db).create(
                str(folder), params, state="running", worker=worker)
            hint = "run the same screen command again to resume (finished stages are kept)"
            try:
                result = run_job(db, job, settings, worker, resume_hint=hint)
            except KeyboardInterrupt as exc:
                signum = exc.signum if isinstance(exc, Interrupted) else signal.SIGINT
                raise Interrupted(signum, f"interrupted ({signal.Signals(signum).name}): job {job['id']} is "
                                          f"cancelled; {hint}") from None
        if result is None:
            state = (JobStore(db).get(job["id"]) or {}).get("state")
            raise ReviewError(f"job {job['id']} stopped before it finished ({state})",
                              hint="cancelled: run the same command again to resume; taken over: another process "
                                   "is finishing it")
        return result
    finally:
        if own:
            db.close()


def _absolute(options: ScreenOptions) -> ScreenOptions:
    """Paths made absolute, so a worker (another working directory) can resume the job."""
    def absolute(path: Path | None) -> Path | None:
        return None if path is None else Path(path).resolve()

    return dataclasses.replace(options, forms=absolute(options.forms), archive=absolute(options.archive),
                               jurors=absolute(options.jurors))


def _fingerprint(folder: Path, options: ScreenOptions) -> str:
    """The inputs as they are now (each file's path, size and modification time): a changed input starts a new job
    rather than resuming one whose finished stages saw other files."""
    paths = list_files(folder) + [p for p in (options.forms, options.archive, options.jurors)
                                  if p is not None and p.exists()]  # a missing one: the pipeline's error, as before
    if (folder / "mailbox.json").is_file():  # a mailbox's folder: a hand-corrected form row is a new run
        paths.append(folder / "mailbox.json")
    digest = hashlib.sha256()
    for path in paths:
        st = path.stat()
        digest.update(f"{path}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def _same_run(params: Mapping[str, Any]) -> str:
    """What must match for ``screen`` to resume a job: everything but whether bars are drawn."""
    options = {k: v for k, v in params.get("options", {}).items() if k != "progress"}
    rest = {k: v for k, v in params.items() if k not in ("progress", "options")}
    return json.dumps({**rest, "options": options}, sort_keys=True)


def _resume_own(store: JobStore, params: dict, worker: str, settings: Settings,
                say: Callable[[str], None]) -> dict | None:
    key = _same_run(params)
    edition = store.db.edition_id()
    for job in store.unfinished():
        if _same_run(job["params"]) != key or int(job.get("edition_id") or 1) != edition:
            continue
        dead = job["state"] == "running" and _is_dead_here(job["worker"])
        if job["state"] == "running" and not dead and not stale_note(job, settings.job_stale_s):
            raise JobBusy(
                f"job {job['id']} on these inputs is running in {job['worker']} "
                f"(heartbeat {heartbeat_age(job) or 0:.0f} s ago)",
                hint=f"wait for it, or run this again once that process is gone (its job is taken over "
                     f"{settings.job_stale_s:.0f} s after its last heartbeat, REVIEW_JOB_STALE_S)")
        before = ("left running by a process that is gone" if job["state"] == "running"
                  else f"{job['state']}: {job['message']}" if job["message"] else job["state"])
        adopted = store.adopt(job["id"], worker, params, stale_s=settings.job_stale_s,
                              dead_worker=job["worker"] if dead else None)
        if adopted is None:  # another process took it between the two reads
            continue
        done = ", ".join(adopted["stages_done"]) or "none"
        say(f"resuming job {job['id']} ({before}); stages already done: {done}")
        return adopted
    return None


@contextlib.contextmanager
def _signals_interrupt() -> Iterator[None]:
    """SIGINT and SIGTERM raise :class:`Interrupted` in the main thread (once: a second signal while the job is
    being marked is ignored); elsewhere (a thread, as in tests) nothing changes."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    fired: list[int] = []

    def handler(signum: int, _frame: object) -> None:
        if not fired:
            fired.append(signum)
            raise Interrupted(signum)

    previous = {sig: signal.signal(sig, handler) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


def run_worker(settings: Settings, *, once: bool = False, drain: bool = False, wait_s: float = 0.0,
               poll_s: float = 1.0, worker: str | None = None, stop: threading.Event | None = None) -> int:
    """Take jobs from the database and run them; the number run.

    ``once``: one job at most (waiting up to ``wait_s`` seconds for one); ``drain``: until no job is left to take;
    otherwise until ``stop`` is set (or the process is stopped), polling every ``poll_s`` seconds.
    SIGINT or SIGTERM (in the main thread) stops the worker: the job it was running goes back in the queue, where
    the next worker resumes it at once, and :class:`Interrupted` goes on up (the command exits 130 or 143).
    """
    worker = worker or worker_name()
    stop = stop or threading.Event()
    db = open_database(settings)
    store = JobStore(db)
    ran = 0
    deadline = time.monotonic() + wait_s
    try:
        with _signals_interrupt():
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
                    run_job(db, job, settings, worker, requeue_on_interrupt=True)
                except Exception:
                    logger.exception("job %s failed", job["id"])
                ran += 1
                if once:
                    break
    finally:
        db.close()
    return ran
