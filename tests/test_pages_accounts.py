"""Page forms of issue 14d: a batch from a folder on the server, a person changing their own password, an admin
setting a temporary one — over HTTP (TestClient): success, refusals in the interface language, the wrong role,
no CSRF token, and what the audit trail keeps."""
from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient

from review_service.contest import accounts as people
from review_service.core import i18n
from review_service.core.errors import Unauthorized
from review_service.server import create_app
from review_service.storage import open_database
from review_service.storage.account_store import PeopleStore
from review_service.storage.job_store import JobStore
from tests import jury as J
from tests.pages import CSRF_FIELD, client_sign_in


@pytest.fixture
def settings(settings):
    return settings.model_copy(update={"scoring_deadline": J.FUTURE})


@pytest.fixture
def world(settings, tmp_path):
    db = open_database(settings)
    world = J.build_world(db, settings, tmp_path)
    yield {**world, "db": db}
    db.close()


def _token(client, path: str) -> str:
    return CSRF_FIELD.search(client.get(path).text)[1]


def _text(lang: str, message: str, **values) -> str:
    """A message as a page shows it (translated, HTML-escaped like Jinja2 does)."""
    from markupsafe import escape

    return str(escape(i18n.gettext(lang, message, **values)))


# -- a batch from a folder on the server -------------------------------------------------------------------------
def test_an_organizer_starts_a_batch_from_a_server_folder(settings, world, tmp_path):
    incoming = settings.data_dir / "incoming" / "round1"
    incoming.mkdir(parents=True)
    (incoming / "ЖИ байқауы_Жаңа.txt").write_text("Кітапханадағы чат-бот.", encoding="utf-8")
    (tmp_path / "elsewhere").mkdir()
    jobs = JobStore(world["db"])
    before = len(jobs.list())
    with TestClient(create_app(settings, search_engine=J.FakeSearch())) as client:
        client_sign_in(client, "organizer")
        shown = client.get("/org/batches?lang=en")
        assert 'name="folder"' in shown.text and str(settings.data_dir / "incoming") in shown.text
        token = _token(client, "/org/batches")
        outside = client.post("/org/batches?lang=ru", data={"folder": str(tmp_path / "elsewhere"),
                                                            "csrf_token": token})
        assert outside.status_code == 422
        assert _text("ru", "The folder %(folder)s is not under the folder batches may be read from (%(root)s).",
                     folder=str(tmp_path / "elsewhere"), root=str((settings.data_dir / "incoming").resolve())) \
            in outside.text
        assert 'value="' + str(tmp_path / "elsewhere") + '"' in outside.text  # the form keeps what was typed
        climbing = client.post("/org/batches?lang=en", data={"folder": "../..", "csrf_token": token})
        assert climbing.status_code == 422 and "is not under the folder" in climbing.text
        missing = client.post("/org/batches?lang=kk", data={"folder": "round9", "csrf_token": token})
        assert missing.status_code == 422
        assert _text("kk", "There is no folder %(folder)s under %(root)s.", folder="round9",
                     root=str((settings.data_dir / "incoming").resolve())) in missing.text
        neither = client.post("/org/batches?lang=ru", data={"csrf_token": token})
        assert neither.status_code == 422
        assert _text("ru", "Choose the entries' files or give a folder on the server.") in neither.text
        both = client.post("/org/batches?lang=en", data={"folder": "round1", "csrf_token": token},
                           files=[("files", ("a.txt", b"text", "text/plain"))])
        assert both.status_code == 422 and len(jobs.list()) == before
        assert client.post("/org/batches", data={"folder": "round1"}).status_code == 403  # no CSRF token
        ok = client.post("/org/batches", data={"folder": "round1", "run": ["themes"], "csrf_token": token},
                         follow_redirects=False)
        assert ok.status_code == 303
        job = jobs.list()[-1]
        assert ok.headers["location"] == f"/org/batches/{job['id']}" and job["created_by"] == "organizer"
        params = json.loads(job["params"]) if isinstance(job["params"], str) else job["params"]
        assert str(incoming.resolve()) in json.dumps(params, ensure_ascii=False)
        client.cookies.clear()
        client_sign_in(client, "ja")
        refused = client.post("/org/batches", data={"folder": "round1", "csrf_token": _token(client, "/my")})
        assert refused.status_code == 403
    assert len(jobs.list()) == before + 1


# -- passwords -----------------------------------------------------------------------------------------------------
def _audit(db, action: str) -> list[dict]:
    return [r for r in db.audit_page(offset=0, limit=1000)[0] if r["action"] == action]


def test_a_signed_in_person_changes_their_own_password(settings, world):
    db = world["db"]
    other = J.token(db, "ja")  # another session of ja's (a second device): ends with the change
    with TestClient(create_app(settings, search_engine=J.FakeSearch())) as client:
        client_sign_in(client, "ja")
        form = client.get("/account/password?lang=en")
        assert form.status_code == 200 and 'autocomplete="current-password"' in form.text
        token = _token(client, "/account/password")
        data = {"current": "pw-ja-123", "new": "a new long one", "confirm": "a new long one", "csrf_token": token}
        wrong = client.post("/account/password?lang=ru", data={**data, "current": "not-my-password"})
        assert wrong.status_code == 422 and _text("ru", "the current password is wrong") in wrong.text
        weak = client.post("/account/password?lang=kk", data={**data, "new": "short", "confirm": "short"})
        assert weak.status_code == 422 and _text("kk", "at least %(n)s characters", n=8) in weak.text
        differ = client.post("/account/password?lang=en", data={**data, "confirm": "a new long 0ne"})
        assert differ.status_code == 422 and "the two new passwords differ" in differ.text
        assert client.post("/account/password", data={k: v for k, v in data.items()
                                                       if k != "csrf_token"}).status_code == 403  # no CSRF token
        assert _audit(db, "password_changed") == []
        done = client.post("/account/password", data=data, follow_redirects=False)
        assert done.status_code == 303 and done.headers["location"] == "/account/password?notice=changed"
        assert client.get("/my", follow_redirects=False).status_code == 200  # this session goes on
    with pytest.raises(Unauthorized):
        people.authenticate(db, other)  # the other one has ended
    with pytest.raises(Unauthorized):
        people.sign_in(db, "ja", "pw-ja-123", hours=1)
    assert people.sign_in(db, "ja", "a new long one", hours=1)
    [row] = _audit(db, "password_changed")
    assert row["actor"] == "ja" and row["subject"] == "user:ja"
    assert "a new long one" not in json.dumps(row, ensure_ascii=False) and "argon2" not in json.dumps(row)
    assert not people.must_change_password(db, "ja")


def test_an_admin_sets_a_temporary_password_and_the_owner_is_asked_to_change_it(settings, world):
    db = world["db"]
    store = PeopleStore(db)
    with TestClient(create_app(settings, search_engine=J.FakeSearch())) as client:
        client_sign_in(client, "admin")
        token = _token(client, "/org/users")
        assert 'action="/org/users/password"' in client.get("/org/users?lang=en").text
        weak = client.post("/org/users/password?lang=ru", data={"login": "ju", "password": "short",
                                                                "csrf_token": token})
        assert weak.status_code == 422 and _text("ru", "at least %(n)s characters", n=8) in weak.text
        assert 'href="#reset-password"' in weak.text
        unknown = client.post("/org/users/password?lang=kk", data={"login": "nobody", "password": "temporary-123",
                                                                   "csrf_token": token})
        assert unknown.status_code == 422 and _text("kk", "there is no such account") in unknown.text
        assert client.post("/org/users/password", data={"login": "ju",
                                                        "password": "temporary-123"}).status_code == 403
        assert _audit(db, "password_reset") == []
        done = client.post("/org/users/password", data={"login": "ju", "password": "temporary-123",
                                                        "csrf_token": token}, follow_redirects=False)
        assert done.status_code == 303 and done.headers["location"] == "/org/users?notice=password"
        [row] = _audit(db, "password_reset")
        assert row["actor"] == "admin" and row["subject"] == "user:ju"
        assert "temporary-123" not in json.dumps(row, ensure_ascii=False) and "argon2" not in json.dumps(row)
        assert "temporary-123" not in client.get("/org/audit?lang=en").text
        with pytest.raises(Unauthorized):
            people.authenticate(db, world["tokens"]["juror_unassigned"])  # ju's sessions have ended
        client.cookies.clear()
        client_sign_in(client, "organizer")  # an organizer reads the users, sets no password
        assert 'action="/org/users/password"' not in client.get("/org/users").text
        assert client.post("/org/users/password", data={"login": "ju", "password": "another-123",
                                                        "csrf_token": _token(client, "/org")}).status_code == 403
        client.cookies.clear()
        client_sign_in(client, "ja")
        assert client.post("/org/users/password", data={"login": "ju", "password": "another-123",
                                                        "csrf_token": _token(client, "/my")}).status_code == 403
        client.cookies.clear()
        login = _token(client, "/login")
        first = client.post("/login", data={"username": "ju", "password": "temporary-123", "next": "/my",
                                            "csrf_token": login}, follow_redirects=False)
        assert first.status_code == 303 and first.headers["location"] == "/account/password?notice=temporary"
        asked = client.get(first.headers["location"] + "&lang=ru")
        assert _text("ru", "An administrator set a temporary password for your account. Choose your own password "
                           "now.") in asked.text
        changed = client.post("/account/password", data={"current": "temporary-123", "new": "my own password",
                                                          "confirm": "my own password", "csrf_token": login},
                              follow_redirects=False)
        assert changed.status_code == 303
        client.cookies.clear()
        again = client.post("/login", data={"username": "ju", "password": "my own password", "next": "/my",
                                            "csrf_token": _token(client, "/login")}, follow_redirects=False)
        assert again.headers["location"] == "/my"  # no longer asked
    assert store.user("ju") is not None and not people.must_change_password(db, "ju")


# -- stopping and resuming a batch -----------------------------------------------------------------------------------
def test_an_organizer_stops_and_resumes_a_batch_and_a_stale_one_is_explained(settings, world, tmp_path):
    from review_service.batches.batch import ScreenOptions
    from review_service.batches.job_runner import submit
    from tests.waiting import wait_for

    folder = tmp_path / "stop-resume"
    folder.mkdir()
    (folder / "ЖИ байқауы_Жаңа.txt").write_text("Кітапханадағы чат-бот.", encoding="utf-8")
    jobs = JobStore(world["db"])
    queued = submit(world["db"], folder, ScreenOptions(progress=False))["id"]
    settings = settings.model_copy(update={"job_stale_s": 0.05})
    with TestClient(create_app(settings, search_engine=J.FakeSearch())) as client:
        client_sign_in(client, "organizer")
        shown = client.get(f"/org/batches/{queued}?lang=ru")
        assert _text("ru", "Stop the batch") in shown.text and _text("ru", "Resume the batch") not in shown.text
        token = _token(client, f"/org/batches/{queued}")
        assert client.post(f"/org/batches/{queued}/cancel").status_code == 403  # no CSRF token
        assert jobs.get(queued)["state"] == "queued"
        stopped = client.post(f"/org/batches/{queued}/cancel", data={"csrf_token": token})
        assert stopped.status_code == 200 and jobs.get(queued)["state"] == "cancelled"  # 303, then the page
        stopped = client.get(f"/org/batches/{queued}?lang=kk")
        assert _text("kk", "The batch was stopped. Resume it to carry on: finished files and stages are kept.") \
            in stopped.text and _text("kk", "Resume the batch") in stopped.text
        resumed = client.post(f"/org/batches/{queued}/resume", data={"csrf_token": token}, follow_redirects=False)
        assert resumed.status_code == 303 and jobs.get(queued)["state"] == "queued"
        assert client.post("/org/batches/999999/cancel", data={"csrf_token": token}).status_code == 404

        running = jobs.claim("gone-worker", stale_s=3600)  # a worker that then stops sending heartbeats
        assert running["id"] == queued
        note = _text("en", "The process running this batch stopped answering. The next worker, or the same screen "
                           "command run again, takes it over and carries on.")
        wait_for(lambda: client.get(f"/org/batches/{queued}?lang=en").text, lambda text: note in text, seconds=10,
                 what="the batch page to call the job stale")

        client.cookies.clear()
        client_sign_in(client, "ja")
        juror_token = _token(client, "/my")
        assert client.post(f"/org/batches/{queued}/cancel", data={"csrf_token": juror_token}).status_code == 403
    assert jobs.get(queued)["state"] == "running"
