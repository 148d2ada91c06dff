"""Pre-screening jobs: the typed pipeline run as a job, the queue, a worker killed with SIGKILL mid-batch and
another finishing its job, a worker stopped with SIGTERM handing its job back to the queue, two workers on a real PostgreSQL draining a queue without running a job twice."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from review_service.batches.batch import ScreenOptions
from review_service.batches.job_runner import run_worker, submit
from review_service.core.config import Settings
from review_service.storage import open_database
from review_service.storage.job_store import JobStore
from tests.jobsdata import TINY, batch_results, worker_env, write_batch
from tests.waiting import wait_for

AI_STAGES = ("topic", "duplicates", "themes", "notes")


def _settings(base: Path, url: str = "", **kw) -> Settings:
    return Settings(environment="test", data_dir=base, database_url=url, embedder=TINY, job_heartbeat_s=0.3,
                    job_stale_s=2.0, **kw)


def _options() -> ScreenOptions:
    return ScreenOptions(stages=AI_STAGES, notes_lang="en", generator="none", progress=False)


def test_screen_job_runs_every_stage_once_with_batch_ids_and_timings(tmp_path, tiny_encoder):
    settings = _settings(tmp_path / "var")
    folder = tmp_path / "entries"
    write_batch(folder, 6)
    db = open_database(settings)
    job = submit(db, folder, _options(), created_by="organizer")
    assert job["state"] == "queued"
    assert run_worker(settings, once=True) == 1
    job = JobStore(db).get(job["id"])
    assert job["state"] == "done" and job["attempts"] == 1, job
    assert set(job["stages_done"]) == {"embed", *AI_STAGES}
    report = json.loads((settings.data_dir / "reports" / f"job-{job['id']}" / "screening.json").read_text())
    assert set(report["timings_s"]) == {"intake", "embed", *AI_STAGES, "total"}
    assert report["timings_s"]["total"] >= sum(v for k, v in report["timings_s"].items() if k != "total") - 0.1
    assert report["batch_id"] == job["batch_id"] and len(report["files"]) == 6
    assert {"topic", "duplicates", "themes", "notes", "embed"} <= set(report["provenance"])
    assert any(d["kind"] == "exact" for d in report["duplicates"])  # the sixth entry copies the first
    results = batch_results(settings, job["batch_id"])
    assert results["counts"] == {"topic": 1, "duplicates": 1, "themes": 1, "notes": 1}
    assert {s["subject"] for s in db.audit_log() if s["action"] == "ai_draft_created"} == {f"batch:{job['batch_id']}"}
    db.close()


def test_sqlite_runs_one_worker_at_a_time_and_takes_over_a_dead_workers_job(tmp_path):
    settings = _settings(tmp_path / "var")
    folder = tmp_path / "entries"
    write_batch(folder, 1)
    db = open_database(settings)
    store = JobStore(db)
    first, second = (submit(db, folder, _options()) for _ in range(2))
    a = store.claim("a", stale_s=60)
    assert a["id"] == first["id"] and a["state"] == "running"
    assert store.claim("b", stale_s=60) is None  # SQLite: one worker at a time
    assert store.claim("b", stale_s=0.0)["id"] == first["id"]  # a's heartbeat is stale: b takes its job over
    assert store.get(first["id"])["attempts"] == 2
    assert store.heartbeat(first["id"], "a") == (False, False)  # a learns it lost the job
    assert store.request_cancel(second["id"])["state"] == "cancelled"  # a queued job is cancelled at once
    assert store.requeue(second["id"])["state"] == "queued"
    db.close()


def _worker_past_embed(settings: Settings, store: JobStore, job_id: int, cwd: Path) -> tuple[subprocess.Popen, dict]:
    """A `review-service worker --once` process, returned once its job's embed stage is done (still running)."""
    proc = subprocess.Popen([sys.executable, "-m", "review_service.commands.cli", "worker", "--once", "--wait", "60"],
                            env=worker_env(settings), cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        seen = wait_for(lambda: store.get(job_id), lambda j: "embed" in j["stages_done"] or proc.poll() is not None,
                        seconds=240, what="the worker to finish embedding", every=0.05)
        assert proc.poll() is None, proc.stdout.read().decode(errors="replace")[-3000:]
    except BaseException:
        proc.kill()
        raise
    return proc, seen


@pytest.mark.slow  # over 10 s: in the slow suite, to keep the default one under 8 min
def test_worker_killed_mid_batch_is_taken_over_and_results_equal_an_uninterrupted_run(tmp_path, tiny_encoder):
    folder = tmp_path / "entries"
    write_batch(folder, 8, paragraphs=8)
    killed = _settings(tmp_path / "killed")
    db = open_database(killed)
    store = JobStore(db)
    job = submit(db, folder, _options())
    proc, seen = _worker_past_embed(killed, store, job["id"], tmp_path)
    try:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    at_kill = store.get(job["id"])
    assert at_kill["state"] == "running" and "notes" not in at_kill["stages_done"], at_kill  # killed mid-batch
    assert seen["worker"] == at_kill["worker"]

    assert run_worker(killed, once=True, wait_s=60, poll_s=0.2) == 1  # takes over once the heartbeat is stale
    resumed = store.get(job["id"])
    assert resumed["state"] == "done" and resumed["attempts"] == 2 and resumed["worker"] != at_kill["worker"]
    for stage in set(at_kill["stages_done"]) - {"embed"}:  # finished stages were loaded, not run again
        assert resumed["stages_done"][stage] == at_kill["stages_done"][stage]
    # embed runs again but every vector comes from the embedding cache the killed worker filled
    assert resumed["stages_done"]["embed"] < at_kill["stages_done"]["embed"]
    db.close()

    whole = _settings(tmp_path / "whole")
    db2 = open_database(whole)
    job2 = submit(db2, folder, _options())
    db2.close()
    assert run_worker(whole, once=True) == 1
    got, want = batch_results(killed, job["batch_id"]), batch_results(whole, job2["batch_id"])
    assert got["counts"] == want["counts"] == {"topic": 1, "duplicates": 1, "themes": 1, "notes": 1}
    assert len(got["records"]) == 8 == len({r["entry_id"] for r in got["records"]})  # none missing or doubled
    assert got == want


@pytest.mark.slow  # over 10 s: in the slow suite, to keep the default one under 8 min
def test_worker_stopped_with_sigterm_puts_its_job_back_in_the_queue_for_the_next_worker(tmp_path, tiny_encoder):
    folder = tmp_path / "entries"
    write_batch(folder, 6, paragraphs=6)
    settings = Settings(environment="test", data_dir=tmp_path / "var", embedder=TINY, job_heartbeat_s=0.3,
                        job_stale_s=3600.0)  # a stale heartbeat would take an hour: the requeue is what lets b in
    db = open_database(settings)
    store = JobStore(db)
    job = submit(db, folder, _options())
    proc, _ = _worker_past_embed(settings, store, job["id"], tmp_path)
    try:
        proc.send_signal(signal.SIGTERM)
        output = proc.communicate(timeout=120)[0].decode(errors="replace")
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 143, output[-3000:]
    stopped = store.get(job["id"])
    assert stopped["state"] == "queued" and "queued again" in stopped["message"], stopped
    assert "notes" not in stopped["stages_done"]  # stopped mid-batch

    assert run_worker(settings, once=True, worker="b") == 1  # taken at once, no waiting for a stale heartbeat
    resumed = store.get(job["id"])
    assert resumed["state"] == "done" and resumed["attempts"] == 2 and resumed["worker"] == "b", resumed
    for stage in set(stopped["stages_done"]) - {"embed"}:  # finished stages were loaded, not run again
        assert resumed["stages_done"][stage] == stopped["stages_done"][stage]
    records = batch_results(settings, job["batch_id"])["records"]
    assert len(records) == 6 == len({r["entry_id"] for r in records})
    db.close()


@pytest.fixture
def pg_settings(postgres, tmp_path) -> Settings:
    return _settings(tmp_path / "var", postgres.new_database())


def test_two_workers_on_postgresql_drain_six_jobs_and_none_runs_twice(pg_settings, tmp_path):
    db = open_database(pg_settings)
    jobs = []
    for i in range(6):
        folder = tmp_path / f"entries{i}"
        for path in write_batch(folder, 3):  # submissions are one per file content and name: make each batch's own
            path.write_text(path.read_text(encoding="utf-8") + f"\nBatch {i}.\n", encoding="utf-8")
        (folder / f"ЖИ байқауы_Only{i}.txt").write_text(f"Entry of batch {i} about a library chatbot.\n")
        jobs.append(submit(db, folder, ScreenOptions(stages=(), progress=False)))
    env = worker_env(pg_settings)
    workers = [subprocess.Popen([sys.executable, "-m", "review_service.commands.cli", "worker", "--drain"], env=env,
                                cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT) for _ in range(2)]
    try:
        outputs = [w.communicate(timeout=240)[0].decode(errors="replace") for w in workers]
    finally:
        for w in workers:
            if w.poll() is None:
                w.kill()
    assert all(w.returncode == 0 for w in workers), outputs
    store = JobStore(db)
    done = [store.get(j["id"]) for j in jobs]
    assert [j["state"] for j in done] == ["done"] * 6, done
    assert [j["attempts"] for j in done] == [1] * 6  # claimed once each: no job ran twice
    ran = sum(int(o.rsplit(": ", 1)[1].split()[0]) for o in outputs)
    assert ran == 6, outputs
    for i, j in enumerate(done):  # each batch holds exactly its own four files
        names = sorted(r["file_name"] for r in db.submissions(batch_id=j["batch_id"]))
        assert len(names) == 4 and f"ЖИ байқауы_Only{i}.txt" in names
    db.close()
