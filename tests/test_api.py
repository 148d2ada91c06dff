"""The real FastAPI app through TestClient, on SQLite and PostgreSQL: sign-in, entries, AI drafts, decisions by a
signed-in organizer only, problem+json for every error."""
from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from review_service.contest import editions
from review_service.server import create_app
from review_service.storage import open_database
from tests import files as F
from tests import jury as J


@pytest.fixture
def settings(backend_settings):
    """Every API test runs on SQLite and on PostgreSQL."""
    return backend_settings


@pytest.fixture
def client(settings, tmp_path):
    from review_service.batches.batch import ScreenOptions
    from review_service.batches.pipeline import run_screen

    folder = tmp_path / "entries"
    folder.mkdir()
    F.make_text(folder / "ЖИ байқауы_Иванова.txt", "Библиотека внедрила чат-бот с искусственным интеллектом.")
    (folder / "ЖИ байқауы_Бос.pdf").write_bytes(b"")
    run_screen(folder, settings, ScreenOptions(stages=(), progress=False))
    db = open_database(settings)
    db.save_ai_result("duplicates", [{"a": "x", "b": "y", "kind": "near_copy"}], {"model": "m", "input_hash": "h"})
    J.add(db, "serik", "organizer")
    J.add(db, "aigerim", "juror", "j1")
    db.close()
    with TestClient(create_app(settings)) as c:
        token = c.post("/auth/token", data={"username": "serik", "password": "pw-serik-123"}).json()["access_token"]
        c.headers.update(J.bearer(token))
        c.cookies.clear()  # the tests choose how they sign in
        yield c


def test_health_and_entries(client):
    assert client.get("/health").json()["status"] == "ok"
    entries = client.get("/entries").json()["items"]
    assert {e["file_name"] for e in entries} == {"ЖИ байқауы_Иванова.txt", "ЖИ байқауы_Бос.pdf"}
    failed = client.get("/entries", params={"status": "failed"}).json()["items"]
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


def test_sign_in_and_out(client):
    anonymous = {"Authorization": ""}
    r = client.get("/entries", headers=anonymous)
    assert r.status_code == 401 and r.headers["content-type"] == "application/problem+json"
    assert r.headers["www-authenticate"] == "Bearer"
    r = client.post("/auth/token", data={"username": "aigerim", "password": "wrong-password"}, headers=anonymous)
    assert r.status_code == 401 and r.json()["code"] == "unauthorized"
    r = client.post("/auth/token", data={"username": "aigerim", "password": "pw-aigerim-123"}, headers=anonymous)
    assert r.status_code == 200 and r.json()["token_type"] == "bearer"
    token = r.json()["access_token"]
    cookie = r.headers["set-cookie"]
    assert "review_session=" in cookie and "HttpOnly" in cookie and "samesite=lax" in cookie.lower()
    assert client.get("/auth/me", headers=J.bearer(token)).json()["role"] == "juror"
    client.cookies.clear()
    r = client.get("/auth/me", headers=anonymous, cookies={"review_session": token})  # the pages' way
    assert r.status_code == 200 and r.json()["login"] == "aigerim"
    assert client.post("/auth/logout", headers=J.bearer(token)).json() == {"revoked": True}
    client.cookies.clear()
    assert client.get("/auth/me", headers=J.bearer(token)).status_code == 401


def test_decisions_need_an_organizer_and_are_audited_as_them(client):
    entry = client.get("/entries").json()["items"][0]["entry_id"]
    r = client.post(f"/entries/{entry}/decisions", json={"kind": "eligibility", "value": "eligible"},
                    headers={"X-Actor": "someone else"})  # the header means nothing any more
    assert r.status_code == 201 and r.json()["actor"] == "serik"
    r = client.post(f"/entries/{entry}/decisions", json={"kind": "eligibility", "value": "maybe"})
    assert r.status_code == 422 and r.json()["code"] == "bad_input"
    log = client.get("/audit", params={"subject": entry}).json()["items"]
    assert [(x["actor"], x["action"]) for x in log] == [("serik", "eligibility_decided")]
    assert log[0]["after"] == {"value": "eligible", "reason": ""}


def test_every_error_is_problem_json(client, settings):
    r = client.post("/entries/x/decisions", json={"kind": "award"})  # request validation
    assert r.status_code == 422 and r.headers["content-type"] == "application/problem+json"
    assert r.json()["code"] == "invalid_request" and r.json()["errors"][0]["loc"] == ["body", "value"]
    r = client.get("/no/such/route")
    assert r.status_code == 404 and r.headers["content-type"] == "application/problem+json"
    r = client.delete("/entries")
    assert r.status_code == 405 and r.json()["code"] == "method_not_allowed"
    app = create_app(settings)

    @app.get("/boom")
    def boom() -> None:
        raise RuntimeError("a bug")

    with TestClient(app, raise_server_exceptions=False) as c:
        r = c.get("/boom")
    assert r.status_code == 500 and r.headers["content-type"] == "application/problem+json"
    assert r.json()["error_id"] in r.json()["detail"]


@pytest.mark.slow  # over 10 s: in the slow suite, to keep the default one under 8 min
def test_search_endpoint_cross_lingual_with_filters(settings, tmp_path):
    from review_service.core.exchange import write_jsonl

    archive = tmp_path / "archive.jsonl"
    write_jsonl(archive, [
        {"id": "p1", "title": "Чат-бот для читателей", "year": 2024, "region": "Астана", "lang": "ru",
         "text": "Районная библиотека запустила чат-бот, который отвечает на вопросы читателей круглосуточно."},
        {"id": "p2", "title": "Сирек кітаптарды цифрландыру", "year": 2023, "region": "Алматы", "lang": "kk",
         "text": "Кітапхана сирек қолжазбаларды сканерлеп, мәтінді тану бағдарламасымен цифрландырды."},
        {"id": "p3", "title": "Book club", "year": 2024, "region": "Астана", "lang": "en",
         "text": "A monthly book club for teenagers with invited authors and reading challenges."},
    ])
    db = open_database(settings)
    editions.import_edition(db, settings, archive, name="2.0", year=2024, actor="test")  # the archive tables
    J.add(db, "serik", "organizer")
    db.close()
    with TestClient(create_app(settings)) as c:
        c.headers.update(J.bearer(c.post("/auth/token", data={"username": "serik", "password": "pw-serik-123"})
                                  .json()["access_token"]))
        r = c.get("/search", params={"q": "оқырмандарға арналған чат-бот"})
        assert r.status_code == 200
        hits = r.json()["hits"]
        assert hits[0]["id"] == "p1" and hits[0]["passage"]["anchor"]
        r = c.get("/search", params={"q": "чат-бот", "year": "2023"})
        assert [h["id"] for h in r.json()["hits"]] == ["p2"]
        assert c.get("/search/like/p1").status_code == 200
