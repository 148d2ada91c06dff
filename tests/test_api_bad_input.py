"""Issue 20, item 7, through the real app: every bad input is a 4xx problem+json with a hint and no server path;
forms CSVs in cp1251 and UTF-16 are named; refused, over-the-cap and cancelled uploads leave nothing on disk (the
originals intake kept stay); spreadsheet exports neutralise formula-like text and keep numbers numeric."""
from __future__ import annotations

import csv
import io

import httpx
import pytest
from fastapi.testclient import TestClient

from review_service.batches.job_runner import run_worker
from review_service.server import create_app
from review_service.storage import open_database
from review_service.storage.job_store import JobStore
from tests import jury as J
from tests.jobsdata import write_batch
from tests.jury import staff_headers
from tests.web import running

FORMS = "file_name,surname,age,library_type\nЖИ байкауы_Алиева.txt,Алиева,30,college\n"
NO_AI = ["topic", "duplicates", "themes", "matching", "notes"]


@pytest.fixture
def settings(settings):
    return settings.model_copy(update={"embedder": "all-minilm-l6-v2", "max_upload_bytes": 256 * 1024})


@pytest.fixture
def client(settings):
    (settings.data_dir / "incoming" / "round1").mkdir(parents=True)
    write_batch(settings.data_dir / "incoming" / "round1", 1)
    with TestClient(create_app(settings), headers=staff_headers(settings), raise_server_exceptions=False) as c:
        yield c


def _leftovers(settings) -> list[str]:
    uploads = settings.data_dir / "uploads"
    return sorted(str(p.relative_to(uploads)) for p in uploads.rglob("*")) if uploads.exists() else []


def _problem(r, settings, tmp_path, status: int | tuple[int, ...] = 422) -> dict:
    statuses = status if isinstance(status, tuple) else (status,)
    assert r.status_code in statuses, r.text[:300]
    assert r.headers["content-type"] == "application/problem+json"
    body = r.json()
    assert body["code"] and body["detail"] and body["hint"], body
    for path in ("/work", "/tmp", "/root", str(tmp_path), str(settings.data_dir.resolve())):
        assert path not in r.text, (path, r.text[:300])
    return body


def test_forms_in_cp1251_and_utf16_are_named(client, settings, tmp_path):
    for encoding, named in (("cp1251", "Windows-1251"), ("utf-16", "UTF-16"), ("utf-16-le", "UTF-16")):
        r = client.post("/batches", data={"folder": "round1"},
                        files=[("forms", ("анкеты.csv", FORMS.encode(encoding), "text/csv"))])
        body = _problem(r, settings, tmp_path)
        assert body["code"] == "forms_encoding" and named in body["detail"] and "UTF-8" in body["hint"]
    r = client.post("/batches", data={"folder": "round1"},
                    files=[("forms", ("forms.csv", FORMS.encode("utf-8-sig"), "text/csv"))])
    assert r.status_code == 202  # UTF-8 with its BOM is read
    assert _leftovers(settings) != []  # … and kept for the queued batch


def test_each_bad_input_is_a_4xx_problem_without_a_server_path(client, settings, tmp_path):
    big = "x" * 200_000
    cases = [
        client.get("/batches/99999999999999999999"),
        client.post("/batches/99999999999999999999/cancel"),
        client.get("/drafts/themes", params={"batch": "99999999999999999999"}),
        client.post("/batches", data={"folder": big}),
        client.post("/batches", data={"folder": "round1\x00/etc"}),
        client.post("/batches", data={"folder": "a" * 300}),
        client.post("/batches", data={"folder": str(tmp_path)}),  # outside the folder batches are read from
        client.post("/batches", data={"folder": "no-such-round"}),
        client.post("/batches", data={"folder": "round1", "notes_lang": big[:5000]}),
        client.post("/batches", files=[("files", ("ж" * 300 + ".txt", b"text", "text/plain"))]),
        client.post("/batches", files=[("files", ("evil\u202etxt.exe", b"text", "text/plain"))]),
        client.post("/batches", data={"folder": "round1"},
                    files=[("forms", ("forms.csv", f"file_name,surname\na.txt,{big}\n".encode(), "text/csv"))]),
        client.post("/batches", data={"folder": "round1"},
                    files=[("forms", ("forms.csv", b"file_name,surname\na.txt,\x00\x00\n", "text/csv"))]),
        client.post("/batches", data={"folder": "round1"},
                    files=[("forms", ("forms.csv", b"surname\nX\n", "text/csv"))]),
        client.post("/entries/x/decisions", json={"kind": "eligibility", "value": big}),
    ]
    for r in cases:
        _problem(r, settings, tmp_path, (404, 413, 422))
    assert _leftovers(settings) == []  # every refused request removed what it had saved


def test_an_upload_over_the_cap_gets_413_and_leaves_nothing(client, settings, tmp_path):
    files = [("files", (f"ЖИ байқауы_{n}.txt", b"x" * 100_000, "text/plain")) for n in ("A", "B", "C")]
    body = _problem(client.post("/batches", files=files), settings, tmp_path, 413)  # declared length over the cap
    assert body["code"] == "too_large"
    assert _leftovers(settings) == []


def test_a_streamed_upload_over_the_cap_is_cut_off_while_it_streams(settings, tmp_path):
    """No Content-Length (chunked): the cap is counted as the body arrives, over real HTTP."""
    headers = staff_headers(settings)
    boundary = "cap-boundary"
    sent = []

    def body():
        for n in range(50):
            part = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"files\"; filename=\"f{n}.txt\"\r\n"
                    "Content-Type: text/plain\r\n\r\n").encode() + b"y" * 32_000 + b"\r\n"
            sent.append(len(part))
            yield part
        yield f"--{boundary}--\r\n".encode()

    with running(create_app(settings)) as base, httpx.Client(base_url=base, headers=headers, timeout=60) as c:
        try:
            r = c.post("/batches", content=body(), headers={"Content-Type": f"multipart/form-data; boundary={boundary}"})
        except httpx.HTTPError:  # the server may close the connection once it has answered
            r = None
    if r is not None:
        assert r.status_code == 413 and r.json()["code"] == "too_large"
    assert _leftovers(settings) == []
    db = open_database(settings)
    try:
        assert JobStore(db).list() == []
    finally:
        db.close()


def test_a_cancelled_batch_loses_its_uploads_and_a_finished_one_keeps_only_the_originals(client, settings, tmp_path):
    paths = write_batch(tmp_path / "in", 2)
    files = [("files", (p.name, p.read_bytes(), "text/plain")) for p in paths]
    r = client.post("/batches", files=files, data={"skip": NO_AI})
    assert r.status_code == 202 and len(_leftovers(settings)) > 0
    assert client.post(f"/batches/{r.json()['id']}/cancel").json()["state"] == "cancelled"
    assert _leftovers(settings) == []  # a queued batch stops at once: its files are gone
    resumed = client.post(f"/batches/{r.json()['id']}/resume")
    assert _problem(resumed, settings, tmp_path, 409)["code"] == "uploads_removed"
    done = client.post("/batches", files=files, data={"skip": NO_AI})
    assert done.status_code == 202
    assert run_worker(settings, once=True) == 1
    assert client.get(f"/batches/{done.json()['id']}").json()["state"] == "done"
    assert _leftovers(settings) == []
    originals = list((settings.data_dir / "originals").rglob("*"))
    assert sum(p.is_file() for p in originals) == 2  # what intake kept stays


def test_exports_neutralise_formulas_and_keep_numbers(settings, tmp_path):
    from openpyxl import load_workbook

    db = open_database(settings.model_copy(update={"scoring_deadline": J.FUTURE}))
    world = J.build_world(db, settings, tmp_path / "w")
    db.close()
    evil = "=HYPERLINK(\"http://example.org\",\"x\")"
    rubric = [{"id": "innovation", "name": {"kk": "+SUM(1)", "ru": evil, "en": "@cmd"}, "weight": 1,
               "min": 0, "max": 10, "step": 1}]
    quick = settings.model_copy(update={"scoring_deadline": J.FUTURE})
    with TestClient(create_app(quick, search_engine=J.FakeSearch())) as client:
        org = J.bearer(world["tokens"]["organizer"])
        ja = J.bearer(world["tokens"]["juror_assigned"])
        assert client.post("/rubric", json={"criteria": rubric}, headers=org).status_code == 201
        for entry, value, comment in ((world["E"], 9, "=1+1"), (world["F"], 2, "-2+3")):
            r = client.put(f"/entries/{entry}/review", json={"scores": {"innovation": {"value": value,
                                                                                        "comment": comment}}},
                           headers=ja)
            assert r.status_code == 200, r.text
            assert client.post(f"/entries/{entry}/review/submit", headers=ja).status_code == 200
        assert client.post(f"/entries/{world['E']}/decisions", headers=org,
                           json={"kind": "eligibility", "value": "not_eligible",
                                 "reason": "=cmd|' /C calc'!A0"}).status_code == 201
        book = load_workbook(io.BytesIO(client.get("/exports/results.xlsx", headers=org).content))
        scores = client.get("/exports/scores.csv", headers=org).content.decode("utf-8-sig")
        decisions = client.get("/exports/decisions.csv", headers=org).content.decode("utf-8-sig")
        results = client.get("/exports/results.csv", headers=org).content.decode("utf-8-sig")
    title = book["innovation"]["A1"]
    assert title.data_type == "s" and title.value.startswith("'=HYPERLINK")  # text, not a formula
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for c in row:
                assert c.data_type != "f", (sheet.title, c.coordinate, c.value)
    summary = book["Summary"]
    head = [c.value for c in summary[1]]
    z = [row[head.index("z_mean")] for row in summary.iter_rows(min_row=2) if row[head.index("z_mean")].value]
    assert z and any(c.value < 0 for c in z) and all(c.data_type == "n" for c in z)  # a negative z stays a number
    comments = {row["comment"] for row in csv.DictReader(io.StringIO(scores))}
    assert "'=1+1" in comments and "'-2+3" in comments
    [decision] = [row for row in csv.DictReader(io.StringIO(decisions)) if row["kind"] == "eligibility"]
    assert decision["reason"] == "'=cmd|' /C calc'!A0"
    header = next(csv.reader(io.StringIO(scores)))
    assert header[0] == "entry_id"  # headers go through the same helper (plain names stay as they are)
    zs = [row["z_mean"] for row in csv.DictReader(io.StringIO(results)) if row["z_mean"]]
    assert any(v.startswith("-") and float(v) < 0 for v in zs)  # a negative number is left a number in CSV
