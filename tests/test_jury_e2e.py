"""End to end on the sample data: import jurors, screen the sample (matching on given affinities), publish the
assignment, three jurors score and submit, an organizer records the finalists; the XLSX export holds the expected
totals; and no response a juror can get (blind review) holds an applicant's personal field."""
from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from review_service.batches.batch import ScreenOptions
from review_service.batches.pipeline import run_screen
from review_service.core.config import Settings
from review_service.server import create_app
from tests import jury as J

SAMPLE = Path(__file__).resolve().parents[1] / "sample_data"


def _personal() -> list[str]:
    out = []
    with open(SAMPLE / "forms.csv", encoding="utf-8-sig", newline="") as f:
        for row in csv.DictReader(f):
            out += [row["surname"], f"{row['name']} {row['surname']}", row["library"], row["region"],
                    row["file_name"], *[c.strip() for c in row["contact"].split(",")]]
    return sorted({p for p in out if len(p) >= 3})


def _suggest(settings: Settings, result) -> None:
    """The matching stage of `screen` (match → the stored suggestion), with affinities given instead of embedded
    (as `review-service match --affinity` does) so that no model loads: conflicts, languages and the solver are
    the real ones."""
    import hashlib

    from review_service.batches.document_stages import suggestion_payloads
    from review_service.stages.matching import match, read_jurors
    from review_service.stages.matching.affinity import affinity_from_mapping
    from review_service.storage import open_database

    assert result.batch is not None
    docs = list(result.batch.documents)
    jurors = read_jurors(SAMPLE / "jurors.jsonl")
    mapping = {j.id: {d.id: int(hashlib.sha256(f"{j.id}{d.id}".encode()).hexdigest()[:4], 16) / 65535
                      for d in docs} for j in jurors}
    matched = match(jurors, docs, k=3, affinity=affinity_from_mapping(mapping, [j.id for j in jurors],
                                                                      [d.id for d in docs]))
    suggestion, stored = suggestion_payloads(matched, docs)
    assert suggestion["status"] == "draft" and suggestion["conflicts"]
    db = open_database(settings)
    db.save_ai_result("assignment_suggestion", stored, suggestion["provenance"])
    db.close()


def _sign_in(client: TestClient, login: str, password: str) -> dict[str, str]:
    r = client.post("/auth/token", data={"username": login, "password": password})
    assert r.status_code == 200, r.text
    client.cookies.clear()
    return J.bearer(r.json()["access_token"])


@pytest.mark.slow  # over 10 s: in the slow suite, to keep the default one under 8 min
def test_stage_two_end_to_end(tmp_path, monkeypatch):
    settings = Settings(environment="test", data_dir=tmp_path / "var", ocr="off", render_originals="off",
                        scoring_deadline=J.FUTURE)
    assert J.run_cli(settings, monkeypatch, ["users", "add", "serik", "--role", "organizer", "--name", "Серік"],
                "organizer-password\n") == 0
    passwords = tmp_path / "passwords.csv"
    assert J.run_cli(settings, monkeypatch, ["users", "import", str(SAMPLE / "jurors.jsonl"), "--passwords",
                                        str(passwords)]) == 0
    assert passwords.stat().st_mode & 0o777 == 0o600
    one_time = {row["login"]: row["password"] for row in csv.DictReader(passwords.open(encoding="utf-8"))}
    assert len(one_time) == 12

    result = run_screen(SAMPLE / "entries", settings, ScreenOptions(forms=SAMPLE / "forms.csv", stages=(),
                                                                    progress=False))
    _suggest(settings, result)

    with TestClient(create_app(settings)) as client:
        org = _sign_in(client, "serik", "organizer-password")
        assert client.post("/rubric", json={"criteria": J.RUBRIC}, headers=org).status_code == 201
        draft = client.get("/assignments/draft", headers=org).json()
        assert draft["version"] == 0 and draft["conflicts"]  # the AI suggestion, conflicts of interest kept
        published = client.post("/assignments/publish", json={"expect_version": 0, "note": "stage 2"}, headers=org)
        assert published.status_code == 201, published.text
        entries = published.json()["entries"]
        target = next(e for e, x in entries.items() if len(x["jurors"]) >= 3)
        three = [r["juror"] for r in entries[target]["jurors"]][:3]

        expected: dict[tuple[str, str], float] = {}
        personal = _personal()
        leaks: list[str] = []
        for n, juror in enumerate(three):
            headers = _sign_in(client, juror, one_time[juror])
            mine = client.get("/entries", headers=headers).json()["items"]
            assert mine and all(e["entry_id"].startswith("E-") for e in mine)
            for m, item in enumerate(mine):
                code = item["entry_id"]
                innovation, feasibility = (3 + n + m) % 11, ((n + 2 * m) % 11) / 2
                r = client.put(f"/entries/{code}/review", headers=headers, json={"scores": {
                    "innovation": {"value": innovation}, "feasibility": {"value": feasibility, "comment": "ok"}}})
                assert r.status_code == 200, r.text
                assert client.post(f"/entries/{code}/review/submit", headers=headers).status_code == 200
                entry_id = next(e for e in entries if J.entry_code(e) == code)
                expected[(entry_id, juror)] = 2 * innovation + feasibility
            for path in ["/entries", "/assignments/mine", "/exports/my-scores.csv", "/auth/me", "/rubric",
                         *(f"/entries/{e['entry_id']}" for e in mine),
                         *(f"/entries/{e['entry_id']}/reviews" for e in mine),
                         *(f"/entries/{e['entry_id']}/note" for e in mine), "/results", "/audit"]:
                text = client.get(path, headers=headers).content.decode("utf-8", "replace")
                leaks += [f"{juror} {path}: {p}" for p in personal if p in text]
        assert leaks == []

        results = client.get("/results", headers=org, params={"limit": 500}).json()["items"]
        assert next(r for r in results if r["entry_id"] == target)["submitted"] == 3
        ranked = sorted((r for r in results if r["raw_mean"] is not None), key=lambda r: r["rank_raw"])
        finalists = [r["entry_id"] for r in ranked[:2]]
        for entry in finalists:
            r = client.post(f"/entries/{entry}/decisions", json={"kind": "finalist", "value": "yes"}, headers=org)
            assert r.status_code == 201 and r.json()["actor"] == "serik"

        xlsx = client.get("/exports/results.xlsx", headers=org)
        assert xlsx.status_code == 200
        assert client.get("/audit/verify", headers=org).json()["intact"]

    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(xlsx.content))
    assert book.sheetnames == ["Summary", "innovation", "feasibility"]
    rows = list(book["Summary"].iter_rows(values_only=True))
    head = rows[0]
    got = {}
    for row in rows[1:]:
        record = dict(zip(head, row, strict=True))
        for juror in three:
            if record.get(f"total {juror}") is not None:
                got[(record["entry_id"], juror)] = record[f"total {juror}"]
        if record["entry_id"] in finalists:
            assert record["finalist"] == "yes"
        mine = [v for (e, _), v in expected.items() if e == record["entry_id"]]
        if mine:
            assert record["raw_mean"] == pytest.approx(sum(mine) / len(mine), abs=1e-4)
    assert got == pytest.approx(expected)
