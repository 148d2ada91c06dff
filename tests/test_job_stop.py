"""Stopping a job inside a stage and resuming it: a cancel during the embed stage takes effect between two embedding
batches (and a resume embeds only the rest); ``screen`` stopped by SIGINT/SIGTERM (in this process, and — slow — as
a subprocess) marks its job cancelled, exits 130/143, and a re-run resumes it; ``screen`` killed with SIGKILL (slow)
leaves a running job whose heartbeat goes stale, which the API reports and a re-run takes over. Results always
equal an uninterrupted run's. The runs are stopped at known points by holding the watched real embedder
(tests/encoders.py), never by timing."""
from __future__ import annotations

import collections
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

import embeddings
from review_service.batches.batch import ScreenOptions
from review_service.batches.job_runner import run_in_process, run_worker, submit, worker_name
from review_service.batches.typed_batch import BatchStopped
from review_service.core.config import Settings
from review_service.core.errors import JobBusy
from review_service.core.progress import Progress
from review_service.server import create_app
from review_service.storage import open_database, tables
from review_service.storage.job_store import JobStore
from tests.encoders import StageDone, Watched, logged_texts
from tests.jobsdata import TINY, batch_results, worker_env, write_batch
from tests.jury import staff_headers
from tests.waiting import wait_for

STAGES = ("topic", "duplicates", "themes", "notes")
EMBED_BATCH = 2  # many small embedding batches: a stop between two of them is well inside the stage

SCREEN_ARGS = ["--skip", "matching", "--notes-lang", "en", "--generator", "none"]


def _options() -> ScreenOptions:
    return ScreenOptions(stages=STAGES, notes_lang="en", generator="none", progress=False)


def test_a_progress_check_stops_a_loop_after_the_update_that_finds_the_stop():
    calls = []

    def check() -> None:
        if len(calls) >= 3:
            raise BatchStopped("cancelled")

    told = []
    bar = Progress(enabled=False, listener=lambda d, n, t: told.append(n), check=check)(10, "embedding")
    with pytest.raises(BatchStopped):
        for _ in range(10):
            calls.append(1)  # one batch of work, then its update
            bar.update()
    assert len(calls) == 3 and bar.done == 3  # the third batch was kept; no fourth was started
    bar.close()
    assert told[-1] == 3


@pytest.fixture(scope="module")
def whole(tmp_path_factory, tiny_encoder):
    """One uninterrupted run of the batch the tests stop: its stored results and its report."""
    base = tmp_path_factory.mktemp("whole")
    folder = base / "entries"
    write_batch(folder, 4, paragraphs=4)
    settings = Settings(environment="test", data_dir=base / "var", embedder=TINY, embed_batch=EMBED_BATCH)
    result = run_in_process(settings, folder, _options(), base / "out")
    return {"folder": folder, "results": batch_results(settings, result.report["batch_id"]),
            "report": _comparable(result.report), "exit_code": result.exit_code}


def _comparable(report: dict) -> dict:
    """The report without what differs between two runs of the same batch (times, paths of this run)."""
    def strip(value):
        if isinstance(value, dict):
            return {k: strip(v) for k, v in value.items() if k not in ("created_at", "generated_at", "timings_s")}
        if isinstance(value, list):
            return [strip(v) for v in value]
        return value
    return strip(report)


def test_cancel_during_embed_stops_between_batches_and_resume_embeds_only_the_rest(
        backend_settings, whole, tiny_encoder, monkeypatch):
    settings = backend_settings.model_copy(update={"embedder": TINY, "embed_batch": EMBED_BATCH,
                                                       "job_heartbeat_s": 0.1})
    watched = Watched(tiny_encoder, hold_at=2)  # the worker waits inside its second embedding batch
    monkeypatch.setattr(embeddings, "load_encoder", lambda *a, **k: watched)
    db = open_database(settings)
    store = JobStore(db)
    job = submit(db, whole["folder"], _options())
    worker = threading.Thread(target=run_worker, args=(settings,), kwargs={"once": True})
    worker.start()
    try:
        wait_for(lambda: watched.held.is_set(), bool, seconds=120, what="the second embedding batch")
        running = store.get(job["id"])
        assert running["state"] == "running" and running["stage"] == "embed", running
        store.request_cancel(job["id"])
        asked = time.time()
        # the worker's heartbeat has read the request: it stops at its next batch, not at the end of the stage
        wait_for(lambda: store.get(job["id"])["heartbeat_at"], lambda beat: beat > asked, seconds=30,
                 what="a heartbeat after the cancel request")
    finally:
        watched.release()
        worker.join(timeout=120)
    stopped = store.get(job["id"])
    assert stopped["state"] == "cancelled" and "embed" not in stopped["stages_done"], stopped
    assert 0 < stopped["done"] < stopped["total"], stopped  # chunks embedded when it stopped, of all the batch's
    first = watched.texts()
    assert 0 < len(first) < stopped["total"]

    assert store.requeue(job["id"])["state"] == "queued"
    assert run_worker(settings, once=True) == 1
    finished = store.get(job["id"])
    assert finished["state"] == "done" and finished["attempts"] == 2, finished
    embedded = collections.Counter(watched.texts())
    assert max(embedded.values()) == 1, [t for t, n in embedded.items() if n > 1]  # nothing embedded twice
    assert batch_results(settings, finished["batch_id"]) == whole["results"]
    db.close()


def _screen(settings: Settings, folder: Path, out: Path, tmp: Path, *, hold_after: str = "",
            calls: Path) -> subprocess.Popen:
    env = worker_env(settings)
    env.update(REVIEW_TEST_CALLS=str(calls), REVIEW_TEST_HOLD=str(tmp / "hold"), REVIEW_TEST_HOLD_AFTER=hold_after)
    if hold_after:
        (tmp / "hold").touch()
    return subprocess.Popen([sys.executable, "-m", "tests.encoders", "screen", str(folder), "--out", str(out),
                             *SCREEN_ARGS], env=env, cwd=tmp, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)


def _held(proc: subprocess.Popen, tmp: Path) -> None:
    """Wait until the screen is held in its notes stage (embed, topic, duplicates, themes done)."""
    wait_for(lambda: (tmp / "hold.held").exists() or proc.poll() is not None, bool, seconds=180,
             what="the screen to reach its notes stage")
    if proc.poll() is not None:
        pytest.fail(f"screen ended ({proc.returncode}) before its notes stage: {proc.communicate()[1][-3000:]}")


def _resumed(settings: Settings, out: Path, before: dict, whole: dict, *, exit_code: int, stderr: str,
             first: list[str], second: list[str]) -> None:
    """The second screen resumed the first one's job (finished stages loaded, every chunk from the embedding cache)
    and wrote the report an uninterrupted run writes."""
    assert exit_code == whole["exit_code"], stderr[-3000:]
    assert f"[screen] resuming job {before['id']}" in stderr, stderr[-3000:]
    db = open_database(settings)
    jobs = JobStore(db).list()
    db.close()
    assert len(jobs) == 1, jobs  # the same job, not a new one
    after = jobs[0]
    assert after["state"] == "done" and after["attempts"] == 2, after
    for stage in ("topic", "duplicates", "themes"):  # loaded, not run again: their recorded times are the first run's
        assert after["stages_done"][stage] == before["stages_done"][stage]
    assert batch_results(settings, after["batch_id"]) == whole["results"]  # one stored result per stage, as whole's
    assert _comparable(json.loads((out / "screening.json").read_text(encoding="utf-8"))) == whole["report"]
    assert first and second  # the first run embedded every chunk; the second, notes' sentences
    assert not set(second) & set(first)  # no chunk (nor anything else the first run embedded) embedded again


def _the_job(settings: Settings) -> dict:
    db = open_database(settings)
    try:
        [job] = JobStore(db).list()
        return job
    finally:
        db.close()


def _interrupted(job: dict, sig: signal.Signals, stderr: str) -> None:
    assert job["state"] == "cancelled", job
    assert job["message"].startswith(f"interrupted ({sig.name})") and "run the same screen command" in job["message"]
    assert f"job {job['id']} is cancelled" in stderr and "run the same screen command again" in stderr, stderr
    assert set(job["stages_done"]) == {"embed", "topic", "duplicates", "themes"}, job  # stopped in notes


@pytest.fixture
def cli_settings(tmp_path, monkeypatch):
    """``review-service screen`` called in this process (``cli.main``) on its own data dir."""
    from review_service.core.config import get_settings

    settings = Settings(environment="test", data_dir=tmp_path / "var", embedder=TINY, embed_batch=EMBED_BATCH)
    for key, value in {"REVIEW_DATA_DIR": str(settings.data_dir), "REVIEW_EMBEDDER": TINY,
                       "REVIEW_EMBED_BATCH": str(EMBED_BATCH), "REVIEW_DATABASE_URL": ""}.items():
        monkeypatch.setenv(key, value)
    get_settings.cache_clear()
    yield settings
    get_settings.cache_clear()


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_screen_gets_a_signal_in_its_notes_stage_marks_the_job_and_a_rerun_resumes_it(
        sig, whole, cli_settings, tiny_encoder, tmp_path, monkeypatch, capsys):
    from review_service.commands.cli import main

    sent = []

    def signal_in_notes() -> None:  # the first embedding after themes is done: the notes stage
        if themes_done.seen.is_set() and not sent:
            sent.append(sig)
            os.kill(os.getpid(), sig)
            wait_for(lambda: None, lambda _: False, seconds=30, what=f"{sig.name} to stop the screen", every=0.01)

    watched = Watched(tiny_encoder, hold=signal_in_notes)
    monkeypatch.setattr(embeddings, "load_encoder", lambda *a, **k: watched)
    out = tmp_path / "out"
    args = ["screen", str(whole["folder"]), "--out", str(out), *SCREEN_ARGS]
    with StageDone("themes") as themes_done:
        code = main(args)
    stderr = capsys.readouterr().err
    assert code == 128 + sig, stderr[-3000:]  # 130 for SIGINT, 143 for SIGTERM
    job = _the_job(cli_settings)
    _interrupted(job, sig, stderr)
    assert not (out / "screening.json").exists()
    first = watched.texts()

    code = main(args)
    second = watched.texts()[len(first):]
    _resumed(cli_settings, out, job, whole, exit_code=code, stderr=capsys.readouterr().err, first=first,
             second=second)


def _rerun(settings: Settings, folder: Path, out: Path, tmp: Path, before: dict, whole: dict, calls: Path) -> None:
    again = _screen(settings, folder, out, tmp, calls=tmp / "calls2.jsonl")
    _stdout, stderr = again.communicate(timeout=300)
    _resumed(settings, out, before, whole, exit_code=again.returncode, stderr=stderr, first=logged_texts(calls),
             second=logged_texts(tmp / "calls2.jsonl"))


@pytest.mark.slow
@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_screen_subprocess_stopped_by_a_signal_marks_its_job_cancelled_and_a_rerun_resumes_it(sig, whole, tmp_path):
    settings = Settings(environment="test", data_dir=tmp_path / "var", embedder=TINY, embed_batch=EMBED_BATCH)
    out, calls = tmp_path / "out", tmp_path / "calls1.jsonl"
    proc = _screen(settings, whole["folder"], out, tmp_path, hold_after="themes", calls=calls)
    try:
        _held(proc, tmp_path)
        proc.send_signal(sig)
        _stdout, stderr = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 128 + sig, stderr[-3000:]  # 130 for SIGINT, 143 for SIGTERM
    job = _the_job(settings)
    _interrupted(job, sig, stderr)
    assert not (out / "screening.json").exists()
    (tmp_path / "hold").unlink()
    _rerun(settings, whole["folder"], out, tmp_path, job, whole, calls)


@pytest.mark.slow
def test_screen_killed_leaves_a_stale_running_job_that_the_api_reports_and_a_rerun_takes_over(whole, tmp_path):
    settings = Settings(environment="test", data_dir=tmp_path / "var", embedder=TINY, embed_batch=EMBED_BATCH,
                        job_stale_s=2.0)
    out, calls = tmp_path / "out", tmp_path / "calls1.jsonl"
    proc = _screen(settings, whole["folder"], out, tmp_path, hold_after="themes", calls=calls)
    try:
        _held(proc, tmp_path)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    job = _the_job(settings)
    assert job["state"] == "running" and job["worker"].startswith("cli:"), job  # nothing could mark it
    with TestClient(create_app(settings), headers=staff_headers(settings)) as client:
        status = wait_for(lambda: client.get(f"/batches/{job['id']}").json(), lambda s: s["stale"], seconds=30,
                          what="the killed screen's heartbeat to go stale")
    assert status["state"] == "running" and status["stage"] == "notes", status
    assert "no heartbeat" in status["message"] and "takes the job over" in status["message"], status
    (tmp_path / "hold").unlink()
    _rerun(settings, whole["folder"], out, tmp_path, job, whole, calls)


def test_screen_resumes_its_own_job_only_once_its_process_is_gone(tmp_path):
    """A job ``running`` for a live ``screen`` is refused (exit 2); for a process that no longer exists, or with a
    stale heartbeat, it is taken over; a finished job is not resumed."""
    folder = tmp_path / "entries"
    write_batch(folder, 2)
    settings = Settings(environment="test", data_dir=tmp_path / "var", job_stale_s=60.0)
    options, out = ScreenOptions(stages=(), progress=False), tmp_path / "out"  # intake only: no model
    said: list[str] = []
    run_in_process(settings, folder, options, out, say=said.append)
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    db = open_database(settings)
    store = JobStore(db)

    def left_running(worker: str, beat: float) -> None:
        with db.transaction() as conn:
            conn.execute(tables.jobs.update().values(state="running", worker=worker, heartbeat_at=beat))

    left_running(f"cli:{worker_name()}", time.time())  # this process: alive, heartbeat fresh
    with pytest.raises(JobBusy) as busy:
        run_in_process(settings, folder, options, out, say=said.append)
    assert busy.value.exit_code == 2 and "is running in cli:" in busy.value.message
    for worker, beat in ((f"cli:{socket.gethostname()}:{gone.pid}:x", time.time()),  # its process is gone
                         ("cli:elsewhere:1:x", time.time() - 120)):  # another machine's, heartbeat stale
        left_running(worker, beat)
        run_in_process(settings, folder, options, out, say=said.append)
        assert said[-1].startswith("resuming job 1 (left running by a process that is gone)"), said
    run_in_process(settings, folder, options, out, say=said.append)  # done: a new job
    assert [(j["id"], j["state"], j["attempts"]) for j in store.list()] == [(1, "done", 3), (2, "done", 1)]
    db.close()
