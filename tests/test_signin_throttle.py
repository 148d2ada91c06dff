"""Issue 20, item 5: sign-in back-off over real HTTP — two servers (two apps, two engines) on one SQLite file, clients
from several loopback addresses: the eleventh wrong password within a minute gets 429 with Retry-After for one
account and for one client; the right password while it waits is refused too, after the wait it signs in; the
failed attempts are audited without the password; the /login form and /account/password back off alike."""
from __future__ import annotations

import json
import sqlite3
import time

import httpx
import pytest
from fastapi.testclient import TestClient

from review_service.core import i18n
from review_service.server import create_app
from review_service.storage import open_database
from tests import jury as J
from tests.pages import CSRF_FIELD, client_sign_in
from tests.web import running

WRONG = [f"wrong-guess-{i:02d}" for i in range(12)]


@pytest.fixture
def settings(settings):
    return settings.model_copy(update={"scoring_deadline": J.FUTURE})


@pytest.fixture
def accounts(settings):
    db = open_database(settings)
    for login in ("serik", "aigerim", "bolat"):
        J.add(db, login, "organizer" if login == "serik" else "juror", None if login == "serik" else login)
    yield db
    db.close()


def _post(base: str, login: str, password: str, address: str) -> httpx.Response:
    transport = httpx.HTTPTransport(local_address=address)
    with httpx.Client(base_url=base, transport=transport, timeout=60) as client:
        return client.post("/auth/token", data={"username": login, "password": password})


def _dump(settings) -> str:
    with sqlite3.connect(settings.data_dir / "review.db") as conn:
        return "\n".join(conn.iterdump())


def _audit(db, action: str) -> list[dict]:
    return [{**r, "detail": json.loads(r["detail"])} for r in db.audit_log() if r["action"] == action]


def _is_throttled(r: httpx.Response) -> None:
    assert r.status_code == 429, r.text
    assert r.headers["content-type"] == "application/problem+json"
    assert int(r.headers["retry-after"]) >= 1
    body = r.json()
    assert body["code"] == "too_many_attempts" and body["hint"]


def test_the_eleventh_wrong_password_on_one_account_gets_429_on_either_server(settings, accounts):
    """Each attempt from another address (so only the account's count matters), alternating two servers."""
    with running(create_app(settings)) as one, running(create_app(settings)) as two:
        answers = [_post((one, two)[i % 2], "serik", WRONG[i], f"127.0.0.{10 + i}") for i in range(11)]
        assert [r.status_code for r in answers[:5]] == [401] * 5  # five free tries, one message for all
        _is_throttled(answers[10])
        right = _post(one, "serik", "pw-serik-123", "127.0.0.40")  # the right password while it waits
        _is_throttled(right)
        time.sleep(int(right.headers["retry-after"]) + 0.2)
        assert _post(two, "serik", "pw-serik-123", "127.0.0.41").status_code == 200  # after the wait
        again = _post(one, "serik", WRONG[11], "127.0.0.42")
        assert again.status_code == 401  # the success cleared the account's count
    failed = _audit(accounts, "sign_in_failed")
    assert 5 <= len(failed) <= 10 and {f["subject"] for f in failed} == {"user:serik"}
    assert {f["detail"]["reason"] for f in failed} == {"wrong_password"}
    assert failed[0]["detail"]["login"] == "serik" and failed[0]["detail"]["client"] == "127.0.0.10"
    assert failed[4]["detail"]["failures"] == 5 and failed[4]["detail"]["wait_s"] > 0
    throttled = _audit(accounts, "sign_in_throttled")
    assert throttled and throttled[0]["detail"]["waiting"] == ["account"]
    assert len(throttled) <= 3  # one record per wait, not one per refusal
    dump = _dump(settings)
    assert not any(w in dump for w in WRONG) and "pw-serik-123" not in dump
    assert accounts.verify_audit().intact


def test_the_eleventh_wrong_password_from_one_client_rotating_accounts_gets_429(settings, accounts):
    logins = ["serik", "aigerim", "bolat", "nobody", "admin", "root", "test", "aigerim", "serik", "x.y", "bolat"]
    with running(create_app(settings)) as base:
        answers = [_post(base, login, WRONG[i], "127.0.0.2") for i, login in enumerate(logins)]
        assert [r.status_code for r in answers[:5]] == [401] * 5
        _is_throttled(answers[10])
        _is_throttled(_post(base, "bolat", "pw-bolat-123", "127.0.0.2"))  # this client waits, right password or not
        assert _post(base, "bolat", "pw-bolat-123", "127.0.0.3").status_code == 200  # the account itself does not
    failed = _audit(accounts, "sign_in_failed")
    assert {f["detail"]["reason"] for f in failed} == {"wrong_password", "unknown_user"}
    unknown = [f for f in failed if f["detail"]["reason"] == "unknown_user"]
    assert unknown[0]["subject"] == "signin:unknown" and unknown[0]["detail"]["login"] == "nobody"
    assert _audit(accounts, "sign_in_throttled")[0]["detail"]["waiting"] == ["client"]
    assert not any(w in _dump(settings) for w in WRONG)


def test_a_disabled_account_is_audited_as_such_and_counts(settings, accounts):
    from review_service.storage.account_store import PeopleStore

    PeopleStore(accounts).set_disabled("bolat", True, "test")
    with TestClient(create_app(settings)) as client:
        r = client.post("/auth/token", data={"username": "bolat", "password": "pw-bolat-123"})
    assert r.status_code == 401 and r.json()["code"] == "unauthorized"
    [row] = _audit(accounts, "sign_in_failed")
    assert row["detail"]["reason"] == "disabled" and row["subject"] == "user:bolat"


def test_the_login_form_backs_off_with_a_translated_message(settings, accounts):
    quick = settings.model_copy(update={"signin_delay_s": 0.5})
    with TestClient(create_app(quick)) as client:
        token = CSRF_FIELD.search(client.get("/login").text)[1]

        def form(password: str, lang: str = "en"):
            return client.post(f"/login?lang={lang}", data={"username": "aigerim", "password": password,
                                                            "csrf_token": token, "next": "/"},
                               follow_redirects=False)

        assert [form(w).status_code for w in WRONG[:5]] == [401] * 5
        for lang in i18n.LANGUAGES:
            r = form("pw-aigerim-123", lang)  # right, but waiting
            assert r.status_code == 429 and int(r.headers["retry-after"]) >= 1
            wait = int(r.headers["retry-after"])
            message = i18n.translations(lang).ngettext(  # the count's plural form in each language
                "Too many wrong passwords. Try again in %(num)s second.",
                "Too many wrong passwords. Try again in %(num)s seconds.", wait) % {"num": wait}
            assert message in r.text
        time.sleep(1.2)
        assert form("pw-aigerim-123").status_code == 303


def test_the_current_password_check_backs_off_too(settings, accounts):
    with TestClient(create_app(settings)) as client:
        client_sign_in(client, "aigerim")
        token = CSRF_FIELD.search(client.get("/account/password").text)[1]
        data = {"new": "a brand new phrase", "confirm": "a brand new phrase", "csrf_token": token}
        answers = [client.post("/account/password?lang=ru", data={**data, "current": w}) for w in WRONG[:6]]
        assert [r.status_code for r in answers[:5]] == [422] * 5
        assert answers[5].status_code == 429 and int(answers[5].headers["retry-after"]) >= 1
        assert i18n.gettext("ru", "Too many wrong passwords. Try again in %(n)s seconds.",
                            n=int(answers[5].headers["retry-after"])) in answers[5].text
        right = client.post("/account/password", data={**data, "current": "pw-aigerim-123"})
        assert right.status_code == 429  # the right current password waits too
    reasons = {r["detail"]["reason"] for r in _audit(accounts, "sign_in_failed")}
    assert reasons == {"wrong_current_password"}
    assert "a brand new phrase" not in _dump(settings)
