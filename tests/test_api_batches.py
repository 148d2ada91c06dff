"""POST /batches, GET /batches/{id}, cancel and resume through the real app; a worker runs the queued job."""
from __future__ import annotations

import io

import pytest
from fastapi.testclient import TestClient

from review_service.batches.job_runner import run_worker
from review_service.core.config import Settings
from review_service.server import create_app
from tests.jobsdata import write_batch
from tests.jury import staff_headers


@pytest.fixture
def settings(backend_settings) -> Settings:
    return backend_settings.model_copy(update={"embedder": "all-minilm-l6-v2"})


@pytest.fixture
def client(settings):
    headers = staff_headers(settings)  # starting and watching batches is for organizers
    with TestClient(create_app(settings), headers=headers) as c:
        yield c


def test_upload_start_watch_and_drafts_of_that_batch(client, settings, tmp_path, tiny_encoder):
    paths = write_batch(tmp_path / "in", 3)
    files = [("files", (p.name, p.read_bytes(), "text/plain")) for p in paths]
    forms = "file_name,surname,age,library_type\n" + "".join(f"{p.name},X,30,college\n" for p in paths)
    r = client.post("/batches", files=[*files, ("forms", ("forms.csv", forms.encode(), "text/csv"))],
                    data={"notes_lang": "en", "skip": ["matching"]})
    assert r.status_code == 202 and r.json()["state"] == "queued", r.text
    job_id = r.json()["id"]
    status = client.get(f"/batches/{job_id}").json()
    assert set(status) >= {"id", "state", "stage", "done", "total", "timings_s", "errors"}
    assert status["state"] == "queued"
    assert run_worker(settings, once=True) == 1  # the API never runs a batch itself
    status = client.get(f"/batches/{job_id}").json()
    assert status["state"] == "done" and status["errors"] == []
    assert {"intake", "embed", "topic", "duplicates", "themes", "notes", "total"} <= set(status["timings_s"])
    batch = status["batch_id"]
    draft = client.get("/drafts/themes", params={"batch": batch}).json()
    assert draft["batch_id"] == batch and len(draft["payload"]) == 3
    assert client.get("/drafts/themes").json()["batch_id"] == batch  # default: the latest batch
    assert client.get("/drafts/themes", params={"batch": batch + 99}).status_code == 404
    entry = client.get("/entries").json()["items"][0]["entry_id"]
    assert client.get(f"/entries/{entry}").json()["form"]["age"] == "30"  # the uploaded forms were read


def test_cancel_resume_bad_requests_and_limits(client, settings, tmp_path):
    incoming = settings.data_dir / "incoming" / "round1"
    write_batch(incoming, 1)
    r = client.post("/batches", data={"folder": "round1", "skip": ["topic", "duplicates", "themes", "matching",
                                                                     "notes"]})
    assert r.status_code == 202
    job_id = r.json()["id"]
    assert client.post(f"/batches/{job_id}/cancel").json()["state"] == "cancelled"
    assert client.post(f"/batches/{job_id}/resume").json()["state"] == "queued"
    assert client.get("/batches/999").status_code == 404
    outside = client.post("/batches", data={"folder": str(tmp_path)})
    assert outside.status_code == 422 and outside.headers["content-type"] == "application/problem+json"
    assert client.post("/batches", data={}).status_code == 422  # neither files nor folder
    small = settings.model_copy(update={"max_file_mb": 0.001, "max_media_mb": 0.001})
    with TestClient(create_app(small), headers=client.headers) as c:
        big = c.post("/batches", files=[("files", ("ЖИ байқауы_Big.txt", io.BytesIO(b"x" * 5000), "text/plain"))])
    assert big.status_code == 413 and big.json()["code"] == "too_large"


def test_jurors_and_anonymous_callers_cannot_start_batches(settings, tmp_path):
    from review_service.storage import open_database
    from tests import jury as J

    db = open_database(settings)
    J.add(db, "juror1", "juror", "j1")
    juror = J.bearer(J.token(db, "juror1"))
    db.close()
    paths = write_batch(tmp_path / "in", 1)
    files = [("files", (p.name, p.read_bytes(), "text/plain")) for p in paths]
    with TestClient(create_app(settings)) as anonymous:
        r = anonymous.post("/batches", files=files)
        assert r.status_code == 401 and r.headers["content-type"] == "application/problem+json"
        assert anonymous.post("/batches", files=files, headers=juror).status_code == 403


def test_a_running_job_without_heartbeats_reads_as_stale_and_stays_running(client, settings, tmp_path):
    import time

    from review_service.storage import open_database, tables
    from review_service.storage.job_store import JobStore

    db = open_database(settings)
    job = JobStore(db).create("/somewhere", {"folder": "/somewhere", "options": {}}, state="running",
                              worker="cli:host:123:abc")
    assert client.get(f"/batches/{job['id']}").json()["stale"] is False  # its heartbeat is fresh
    with db.transaction() as conn:  # the process was killed: no heartbeat since long before the stale limit
        conn.execute(tables.jobs.update().values(heartbeat_at=time.time() - settings.job_stale_s - 30))
    db.close()
    status = client.get(f"/batches/{job['id']}").json()
    assert status["state"] == "running" and status["stale"] is True, status
    assert "no heartbeat from cli:host:123:abc" in status["message"]
    assert "review-service worker` or run the same screen command again takes the job over" in status["message"]
