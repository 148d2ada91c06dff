"""Stopping a job inside a stage and resuming it: a cancel during the embed stage takes effect between two embedding
batches, and a resume embeds only the rest; the results equal an uninterrupted run's."""
from __future__ import annotations

import collections
import threading
import time

import pytest

import embeddings
from review_service.batch import BatchStopped, ScreenOptions
from review_service.config import Settings
from review_service.jobs import run_in_process, run_worker, submit
from review_service.progress import Progress
from review_service.storage import open_database
from review_service.storage.jobs import JobStore
from tests.encoders import Watched
from tests.jobsdata import TINY, batch_results, write_batch
from tests.waiting import wait_for

STAGES = ("topic", "duplicates", "themes", "notes")
EMBED_BATCH = 2  # many small embedding batches: a stop between two of them is well inside the stage



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
