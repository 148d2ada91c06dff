"""The real FastAPI app through TestClient, on SQLite and PostgreSQL: entries, AI drafts, person-only scores and decisions, problem+json."""
from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from review_service.api import create_app
from review_service.storage import open_database
from tests import files as F


@pytest.fixture
def settings(backend_settings):
    """Every API test runs on SQLite and on PostgreSQL."""
    return backend_settings


@pytest.fixture
def client(settings, tmp_path):
    from review_service.pipeline import ScreenOptions, run_screen

    folder = tmp_path / "entries"
    folder.mkdir()
    F.make_text(folder / "ЖИ байқауы_Иванова.txt", "Библиотека внедрила чат-бот с искусственным интеллектом.")
    (folder / "ЖИ байқауы_Бос.pdf").write_bytes(b"")
    run_screen(folder, settings, ScreenOptions(stages=(), progress=False))
    db = open_database(settings)
    db.save_ai_result("duplicates", [{"a": "x", "b": "y", "kind": "near_copy"}], {"model": "m", "input_hash": "h"})
    db.close()
    with TestClient(create_app(settings)) as c:
        yield c


def test_health_and_entries(client):
    assert client.get("/health").json()["status"] == "ok"
    entries = client.get("/entries").json()
    assert {e["file_name"] for e in entries} == {"ЖИ байқауы_Иванова.txt", "ЖИ байқауы_Бос.pdf"}
    failed = client.get("/entries", params={"status": "failed"}).json()
    assert [e["reasons"][0]["code"] for e in failed] == ["empty"]
    one = client.get(f"/entries/{entries[0]['entry_id']}").json()
    assert one["checks"]


def test_unknown_entry_is_problem_json(client):
    r = client.get("/entries/nope")
    assert r.status_code == 404 and r.headers["content-type"] == "application/problem+json"
    assert r.json()["code"] == "not_found"


def test_ai_drafts_are_marked_as_drafts(client):
    body = client.get("/drafts/duplicates").json()
    assert body["status"] == "draft" and body["provenance"]["model"] == "m"
    assert client.get("/drafts/notes").status_code == 404


def test_scores_and_decisions_need_a_person(client):
    entry = client.get("/entries").json()[0]["entry_id"]
    score = {"juror_id": "j1", "criterion": "innovation", "value": 8}
    r = client.post(f"/entries/{entry}/scores", json=score)
    assert r.status_code == 403 and r.json()["code"] == "permission_denied"
    r = client.post(f"/entries/{entry}/scores", json=score, headers={"X-Actor": "system:notes"})
    assert r.status_code == 403
    r = client.post(f"/entries/{entry}/scores", json=score, headers={"X-Actor": "Aigerim Bekova"})
    assert r.status_code == 201 and r.json()["recorded_by"] == "Aigerim Bekova"
    r = client.post(f"/entries/{entry}/scores", json={**score, "value": 99}, headers={"X-Actor": "Aigerim Bekova"})
    assert r.status_code == 422 and r.json()["code"] == "bad_input"
    r = client.post(f"/entries/{entry}/decisions", json={"kind": "eligibility", "value": "eligible"},
                    headers={"X-Actor": "Serik (organizer)"})
    assert r.status_code == 201
    log = client.get("/audit", params={"subject": entry}).json()
    assert [(x["actor"], x["action"]) for x in log] == [("Aigerim Bekova", "score_recorded"),
                                                      ("Serik (organizer)", "eligibility_decided")]


def test_search_endpoint_cross_lingual_with_filters(settings, tmp_path):
    from review_service.exchange import write_jsonl

    archive = tmp_path / "archive.jsonl"
    write_jsonl(archive, [
        {"id": "p1", "title": "Чат-бот для читателей", "year": 2024, "region": "Астана", "lang": "ru",
         "text": "Районная библиотека запустила чат-бот, который отвечает на вопросы читателей круглосуточно."},
        {"id": "p2", "title": "Сирек кітаптарды цифрландыру", "year": 2023, "region": "Алматы", "lang": "kk",
         "text": "Кітапхана сирек қолжазбаларды сканерлеп, мәтінді тану бағдарламасымен цифрландырды."},
        {"id": "p3", "title": "Book club", "year": 2024, "region": "Астана", "lang": "en",
         "text": "A monthly book club for teenagers with invited authors and reading challenges."},
    ])
    settings.archive = archive
    with TestClient(create_app(settings)) as c:
        r = c.get("/search", params={"q": "оқырмандарға арналған чат-бот"})
        assert r.status_code == 200
        hits = r.json()["hits"]
        assert hits[0]["id"] == "p1" and hits[0]["passage"]["anchor"]
        r = c.get("/search", params={"q": "чат-бот", "year": "2023"})
        assert [h["id"] for h in r.json()["hits"]] == ["p2"]
        assert c.get("/search/like/p1").status_code == 200
