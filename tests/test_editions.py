"""Editions (issue 23): the editions command's contract, a new edition as a copy of another's set-up, a closed
edition's refusals (409 naming it), the archive it grows (closing, importing a JSONL or a folder), search over the
archive by outcome, and a new edition's duplicate flagged against the archive."""
from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient

from review_service.contest import editions, scoring
from review_service.core.config import for_edition
from review_service.core.errors import NotFound
from review_service.server import create_app
from review_service.storage import edition_scope, open_database
from review_service.storage.edition_store import EditionStore
from review_service.storage.jury_store import JuryStore
from tests import files as F
from tests import jury as J

TINY = "all-minilm-l6-v2"


@pytest.fixture
def settings(settings):
    return settings.model_copy(update={"scoring_deadline": J.FUTURE})


@pytest.fixture
def world(settings, tmp_path):
    db = open_database(settings)
    found = J.build_world(db, settings, tmp_path / "world")
    yield db, found
    db.close()


@pytest.fixture
def any_world(backend_settings, tmp_path):
    """The world on SQLite, then on PostgreSQL."""
    settings = backend_settings.model_copy(update={"scoring_deadline": J.FUTURE})
    db = open_database(settings)
    found = J.build_world(db, settings, tmp_path / "world")
    yield db, found, settings
    db.close()


def _lines(capsys) -> list[str]:
    return [line for line in capsys.readouterr().out.splitlines() if line.strip()]


def test_editions_cli_contract(settings, monkeypatch, capsys):
    assert J.run_cli(settings, monkeypatch, ["editions", "list"]) == 0
    first = _lines(capsys)
    assert len(first) == 1 and first[0].split("\t")[1:] != [] and first[0].split("\t")[0] == "1"
    assert first[0].split("\t")[1] == "default" and first[0].split("\t")[3] == "open"  # a new database's edition
    assert J.run_cli(settings, monkeypatch, ["editions", "create", "3.0", "--year", "2026"]) == 0
    capsys.readouterr()
    assert J.run_cli(settings, monkeypatch, ["editions", "create", "3.0", "--year", "2026"]) == 2  # the name is taken
    assert "edition_exists" in capsys.readouterr().err
    assert J.run_cli(settings, monkeypatch, ["editions", "create", "4.0", "--year", "2027", "--copy-from", "nope"]) == 1  # not found
    assert "no edition 'nope'" in capsys.readouterr().err
    assert J.run_cli(settings, monkeypatch, ["editions", "close", "3.0"]) == 0
    assert "closed: 0 entries" in capsys.readouterr().out
    assert J.run_cli(settings, monkeypatch, ["editions", "close", "3.0"]) == 2
    assert "edition 3.0 is closed" in capsys.readouterr().err
    assert J.run_cli(settings, monkeypatch, ["editions", "list"]) == 0
    rows = [line.split("\t") for line in _lines(capsys)]
    assert [(r[0], r[1], r[2], r[3]) for r in rows] == [("1", "default", rows[0][2], "open"),
                                                        ("2", "3.0", "2026", "closed")]


def test_a_copy_has_the_rubric_and_the_jury_and_no_entries(world, settings, monkeypatch, capsys):
    db, w = world
    scoring.record_decision(db, entry_id=w["E"], kind="finalist", value="yes", actor=w["organizer"])
    assert J.run_cli(settings, monkeypatch, ["editions", "create", "4.0", "--year", "2027",
                                             "--copy-from", "default"]) == 0
    assert "4 jurors" in capsys.readouterr().out
    new = EditionStore(db).named("4.0")
    old_rubric = JuryStore(db).rubric()
    with edition_scope.scoped(new["id"]):
        rubric = JuryStore(db).rubric()
        assert rubric is not None and rubric["criteria"] == old_rubric["criteria"]
        assert rubric["version"] != old_rubric["version"]  # a version of its own
        assert db.submissions() == [] and JuryStore(db).reviews() == [] and JuryStore(db).decisions() == []
        assert db.latest_assignment("published") is None and db.latest_ai_result("notes") is None
    assert EditionStore(db).jury(new["id"]) == ["ja", "jc", "jd", "ju"]
    assert new["deadline"] and new["blind_review"] is True  # the settings' values, as the copied edition had none
    assert db.verify_audit().intact


def test_a_closed_edition_refuses_writes_with_409_naming_it(any_world):
    db, w, settings = any_world
    with TestClient(create_app(settings)) as c:
        org = J.bearer(w["tokens"]["organizer"])
        juror = J.bearer(w["tokens"]["juror_assigned"])
        listed = c.get("/editions", headers=org).json()
        assert [(e["name"], e["state"], e["current"]) for e in listed] == [("default", "screening", True)]
        r = c.post("/editions/default/close", headers=org)
        assert r.status_code == 200 and r.json()["state"] == "closed" and r.json()["archived"] == 3
        refused = [
            c.post("/rubric", headers=org, json={"criteria": J.RUBRIC}),
            c.post(f"/entries/{w['E']}/decisions", headers=org, json={"kind": "finalist", "value": "yes"}),
            c.put(f"/entries/{w['E']}/review", headers=juror, json={"scores": {"innovation": {"value": 7}}}),
            c.post("/flags/duplicates/review", headers=org, json={
                "a": w["E"], "b": w["F"], "kind": "paraphrase", "verdict": "dismiss", "comment": "no"}),
            c.post("/editions/default/close", headers=org),
        ]
        for r in refused:
            assert r.status_code == 409, r.text
            assert r.headers["content-type"] == "application/problem+json"
            assert r.json()["code"] == "edition_closed" and r.json()["edition"] == "default"
            assert "default" in r.json()["detail"]
        assert c.get("/entries", headers=org).status_code == 200  # reading goes on
        assert c.get("/results", headers=org).status_code == 200
        r = c.post("/editions", headers=org, json={"name": "4.0", "year": 2027, "copy_from": "default"})
        assert r.status_code == 201 and r.json()["state"] == "open"
        assert c.post("/editions", headers=juror, json={"name": "5.0", "year": 2028}).status_code == 403
        assert c.post("/editions/4.0/close", headers=juror).status_code == 403
        # the new edition is the current one now (the oldest not closed): writes work there
        assert c.post("/rubric", headers=org, json={"criteria": J.RUBRIC}).status_code == 201
        assert c.post("/rubric?edition=default", headers=org, json={"criteria": J.RUBRIC}).status_code == 409
        assert c.get("/editions?edition=nope", headers=org).status_code == 404
    assert db.verify_audit().intact


def test_a_juror_sees_only_the_editions_of_their_jury(world, settings):
    db, w = world
    EditionStore(db).create("other", 2025, {}, "test")
    with TestClient(create_app(settings)) as c:
        juror = J.bearer(w["tokens"]["juror_assigned"])
        assert [e["name"] for e in c.get("/editions", headers=juror).json()] == ["default"]
        r = c.get("/entries?edition=other", headers=juror)
        assert r.status_code == 403 and "other" in r.json()["detail"]
        org = J.bearer(w["tokens"]["organizer"])
        assert [e["name"] for e in c.get("/editions", headers=org).json()] == ["default", "other"]
        assert c.get("/entries?edition=other", headers=org).json()["total"] == 0  # that edition's entries: none
        assert c.get("/entries", headers=org).json()["total"] == 3


def test_import_a_jsonl_and_a_folder(settings, monkeypatch, capsys, tmp_path):
    past = tmp_path / "past.jsonl"
    past.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in [
        {"id": "p1", "text": "Кітапхана оқырмандарға арналған чат-бот іске қосты.", "title": "Чат-бот",
         "lang": "kk", "outcome": "winner", "theme": "чат-боттар", "region": "Астана"},
        {"id": "p2", "text": "Оцифровка редких книг районной библиотеки.", "outcome": "finalist"},
        {"id": "p3", "text": "A reading club for teenagers."},
    ]) + "\n", encoding="utf-8")
    assert J.run_cli(settings, monkeypatch, ["editions", "import", str(past), "--edition", "1.0", "--year",
                                             "2024"]) == 0
    assert "3 entries read, 3 added" in capsys.readouterr().out
    assert J.run_cli(settings, monkeypatch, ["editions", "import", str(past), "--edition", "1.0", "--year",
                                             "2024"]) == 0
    assert "3 entries read, 0 added" in capsys.readouterr().out  # run again: nothing twice
    folder = tmp_path / "files"
    folder.mkdir()
    F.make_text(folder / "ЖИ байқауы_Асанова.txt", "Библиотека открыла центр цифровой грамотности для пенсионеров.")
    F.make_text(folder / "ЖИ байқауы_Smith.txt", "A library podcast about local history, recorded by readers.")
    assert J.run_cli(settings, monkeypatch, ["editions", "import", str(folder), "--edition", "2.0", "--year",
                                             "2025"]) == 0
    assert "2 entries read, 2 added" in capsys.readouterr().out
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps({"id": "x", "text": "t", "outcome": "champion"}) + "\n", encoding="utf-8")
    assert J.run_cli(settings, monkeypatch, ["editions", "import", str(bad), "--edition", "2.0", "--year",
                                             "2025"]) == 2
    assert "champion" in capsys.readouterr().err
    db = open_database(settings)
    try:
        rows = {r["doc_id"]: r for r in EditionStore(db).archive()}
        assert {d: (r["edition"], r["outcome"], r["year"]) for d, r in rows.items()} == {
            "p1": ("1.0", "winner", 2024), "p2": ("1.0", "finalist", 2024), "p3": ("1.0", "participant", 2024),
            "ЖИ байқауы_Асанова": ("2.0", "participant", 2025), "ЖИ байқауы_Smith": ("2.0", "participant", 2025)}
        assert rows["p1"]["themes"] == ["чат-боттар"] and rows["p1"]["region"] == "Астана"
        assert rows["ЖИ байқауы_Асанова"]["lang"] == "ru" and "пенсионеров" in rows["ЖИ байқауы_Асанова"]["text"]
        states = {e["name"]: e["state"] for e in EditionStore(db).editions()}
        assert states == {"default": "open", "1.0": "closed", "2.0": "closed"}  # past editions come closed
        assert db.verify_audit().intact
    finally:
        db.close()


def test_closing_carries_outcomes_into_the_archive_and_search_finds_the_winner(world, settings, monkeypatch,
                                                                              capsys):
    db, w = world
    org = w["organizer"]
    scoring.record_decision(db, entry_id=w["E"], kind="finalist", value="yes", actor=org)
    scoring.record_decision(db, entry_id=w["E"], kind="award", value="1", actor=org)
    scoring.record_decision(db, entry_id=w["F"], kind="finalist", value="yes", actor=org)
    scoring.record_decision(db, entry_id=w["G"], kind="award", value="special", actor=org)
    assert J.run_cli(settings, monkeypatch, ["editions", "close", "default"]) == 0
    assert "3 entries in the archive" in capsys.readouterr().out
    rows = {r["entry_id"]: r for r in EditionStore(db).archive()}
    assert {e: rows[e]["outcome"] for e in (w["E"], w["F"], w["G"])} == {
        w["E"]: "winner", w["F"]: "finalist", w["G"]: "special_prize"}
    assert "чат-бот" in rows[w["E"]]["text"] and rows[w["E"]]["lang"] == "ru"
    assert rows[w["E"]]["library_type"] == "public_mcib" and rows[w["E"]]["region"] == J.APPLICANTS[0][5]
    monkeypatch.setenv("REVIEW_EMBEDDER", TINY)
    assert J.run_cli(settings, monkeypatch, ["search", "reading recommendation", "--outcome", "winner",
                                             "--json", "--no-progress"]) == 0
    hits = json.loads(capsys.readouterr().out)["hits"]
    assert [h["id"] for h in hits] == [w["E"]]  # the only winner, whatever the question
    assert J.run_cli(settings, monkeypatch, ["search", "reading recommendation", "--edition", "default", "--json",
                                             "--no-progress"]) == 0
    assert {h["id"] for h in json.loads(capsys.readouterr().out)["hits"]} == {w["E"], w["F"], w["G"]}
    assert J.run_cli(settings, monkeypatch, ["search", "x", "--outcome", "champion"]) == 2
    assert db.verify_audit().intact


def test_a_new_editions_duplicate_of_an_archived_entry_is_flagged(world, settings, tmp_path):
    db, w = world
    editions.close(db, settings, name="default", actor="test")
    new = editions.create(db, settings, name="4.0", year=2027, actor="test", copy_from="default")
    copied_text = next(t for f, *_, t in J.APPLICANTS if f == J.APPLICANTS[0][0])
    tiny = settings.model_copy(update={"embedder": TINY})
    from review_service.batches.batch import ScreenOptions
    from review_service.batches.pipeline import run_screen

    folder = tmp_path / "4.0"
    folder.mkdir()
    F.make_text(folder / "ЖИ байқауы_Копия.txt", copied_text)
    F.make_text(folder / "ЖИ байқауы_Другой.txt", "Совсем другой проект: клуб настольных игр для подростков.")
    with edition_scope.scoped(new["id"]):
        run_screen(folder, tiny, ScreenOptions(stages=("duplicates",), progress=False), db)
        flags = db.latest_ai_result("duplicates")["payload"]
        ids = {r["file_name"]: r["entry_id"] for r in db.submissions()}
    assert len(ids) == 2 and w["E"] not in ids.values()  # entries of their own edition
    against = [(f["a"], f["b"], f["b_is_archive"]) for f in flags]
    assert (ids["ЖИ байқауы_Копия.txt"], f"archive:{w['E']}", True) in against
    assert all(f["a"] != ids["ЖИ байқауы_Другой.txt"] for f in flags)


def test_an_organizer_switches_the_pages_edition_and_a_juror_only_to_theirs(world, settings):
    from tests.pages import client_sign_in

    db, w = world
    EditionStore(db).create("4.0", 2027, {}, "test")
    with TestClient(create_app(settings)) as c:
        csrf = client_sign_in(c, "organizer")
        html = c.get("/org/entries").text
        assert 'action="/account/edition"' in html and '<option value="4.0"' in html
        assert w["E"] in html or J.APPLICANTS[0][0] in html  # the default edition's entries
        r = c.post("/account/edition", data={"edition": "4.0", "next": "/org/entries", "csrf_token": csrf},
                   follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"] == "/org/entries"
        html = c.get("/org/entries").text
        assert J.APPLICANTS[0][0] not in html  # 4.0 has no entries
        assert c.get("/editions").json()[1]["current"] is True
        r = c.post("/account/edition", data={"edition": "4.0", "next": "https://evil.example/", "csrf_token": csrf},
                   follow_redirects=False)
        assert r.headers["location"] == "/"
        assert c.post("/account/edition", data={"edition": "4.0"}, follow_redirects=False).status_code == 403  # CSRF
    with TestClient(create_app(settings)) as c:
        csrf = client_sign_in(c, "ja")
        r = c.post("/account/edition", data={"edition": "4.0", "csrf_token": csrf}, follow_redirects=False)
        assert r.status_code == 403  # not on 4.0's jury
        assert '<option value="4.0"' not in c.get("/my").text


def test_the_search_index_follows_the_archive_embedding_only_new_documents(settings, tmp_path, tiny_encoder):
    from review_service.search.archive import ArchiveSearch, engine_for_archive

    class Counting:
        def __init__(self, inner):
            self.inner, self.model_id, self.revision, self.dim = inner, inner.model_id, inner.revision, inner.dim
            self.texts = 0

        def encode(self, texts, *, kind="document"):
            self.texts += len(texts)
            return self.inner.encode(texts, kind=kind)

    def jsonl(name, rows):
        path = tmp_path / name
        path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
        return path

    db = open_database(settings)
    try:
        tiny = settings.model_copy(update={"embedder": TINY})
        search = ArchiveSearch(db, tiny)
        with pytest.raises(NotFound) as empty:
            search()
        assert "archive of past projects is empty" in str(empty.value)
        editions.import_edition(db, tiny, jsonl("a.jsonl", [
            {"id": "a1", "text": "A reader chatbot answers questions about the catalogue day and night."},
            {"id": "a2", "text": "Digitising rare manuscripts with text recognition."}]),
            name="1.0", year=2024, actor="test")
        first = search()
        assert search() is first and set(first.doc_ids) == {"a1", "a2"}  # unchanged archive: the same engine
        counting = Counting(tiny_encoder)
        engine_for_archive(db, tiny.model_copy(update={"data_dir": tmp_path / "other"}), encoder=counting)
        before = counting.texts
        assert before == 0  # a second index of the same archive: every passage from the embedding cache
        editions.import_edition(db, tiny, jsonl("b.jsonl", [
            {"id": "b1", "text": "A podcast studio where teenagers record local history.", "outcome": "winner"}]),
            name="2.0", year=2025, actor="test")
        engine_for_archive(db, tiny.model_copy(update={"data_dir": tmp_path / "other"}), encoder=counting)
        assert counting.texts - before == 1  # the grown archive's index: only b1's one passage embedded
        again = search()
        assert again is not first and set(again.doc_ids) == {"a1", "a2", "b1"}
        assert again.encoder is first.encoder  # the loaded embedder (and a prepared query path) is kept
        assert [h.id for h in again.search("podcast", k=3, filters={"outcome": "winner"}).hits] == ["b1"]
    finally:
        db.close()


def test_a_batch_queued_in_an_edition_runs_there_with_its_set_up(world, settings):
    from review_service.batches.job_runner import run_worker

    db, w = world
    EditionStore(db).create("4.0", 2027, {"max_age": 40, "blind_review": False}, "test")
    new = EditionStore(db).named("4.0")
    EditionStore(db).add_jury_member(new["id"], "ja", "test")
    assert for_edition(settings, new).max_age == 40 and for_edition(settings, None).max_age == settings.max_age
    with TestClient(create_app(settings)) as c:
        juror = J.bearer(w["tokens"]["juror_assigned"])
        assert c.get("/auth/me", headers=juror).json()["blind_review"] is True  # the default edition: the setting
        assert c.get("/auth/me?edition=4.0", headers=juror).json()["blind_review"] is False  # 4.0's own set-up
        org = J.bearer(w["tokens"]["organizer"])
        r = c.post("/batches?edition=4.0", headers=org, data={"skip": ["topic", "duplicates", "themes", "matching",
                                                                        "notes"]},
                   files=[("files", ("ЖИ байқауы_Жаңа.txt", "Кітапханадағы чат-бот.".encode(), "text/plain"))])
        assert r.status_code == 202, r.text
    assert run_worker(settings, once=True) == 1
    with edition_scope.scoped(new["id"]):
        assert [s["file_name"] for s in db.submissions()] == ["ЖИ байқауы_Жаңа.txt"]
    assert "ЖИ байқауы_Жаңа.txt" not in {s["file_name"] for s in db.submissions()}  # not in the default edition
    assert EditionStore(db).named("4.0")["state"] == "screening"
