"""Issue 20, item 5: one login rule and one password rule everywhere a login or password is set — the API
(``POST /users``), the pages (``/org/users``, ``/account/password``) and the CLI (``users add``, ``import``,
``reset-password``): common, simple and personal passwords refused with their own codes (translated on pages);
look-alike, invisible and direction characters in logins refused."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from review_service.contest.credentials import CredentialError, check_password, normalise_login
from review_service.core import i18n
from review_service.server import create_app
from review_service.storage import open_database
from review_service.storage.account_store import PeopleStore
from tests import jury as J
from tests.pages import CSRF_FIELD, client_sign_in

SAMPLE = Path(__file__).resolve().parents[1] / "sample_data"

LOOK_ALIKES = ["sеrik", "se\u200brik", "ab\u202ecd", "serik\u2066", "ser ik", "серик", "ｓerik"]
WEAK = {"aaaaaaaa": "password_simple", "password": "password_common", "12345678": "password_simple",
        "Password123!": "password_common", "qwerty123": "password_simple", "йцукенгш": "password_simple",
        "gfhjkm2024": "password_common", "пароль123": "password_common", "құпиясөз": "password_common",
        "abcabcabc": "password_simple", "short": "password_too_short"}


@pytest.mark.parametrize(("password", "code"), sorted(WEAK.items()))
def test_weak_passwords_are_refused_with_their_code(password, code):
    with pytest.raises(CredentialError) as refused:
        check_password(password)
    assert refused.value.code == code


def test_the_login_or_name_as_password_is_refused_but_good_ones_pass():
    for password in ("bolatbek2024!", "kebtalob", "Akhmetova.1", "#zhuldyzai#"):
        with pytest.raises(CredentialError) as refused:
            check_password(password, login="bolatbek", name="Zhuldyzai Akhmetova")
        assert refused.value.code == "password_personal"
    for password in ("correct horse battery", "pw-serik-123", "Жаңа мүмкіндік 3", "tY7#qm2!vL"):
        check_password(password, login="serik", name="Серік")


def test_logins_are_nfc_and_held_to_the_pattern():
    assert normalise_login("  serik.a@lib-1 ") == "serik.a@lib-1"
    for login in LOOK_ALIKES:
        with pytest.raises(CredentialError) as refused:
            normalise_login(login)
        assert refused.value.code == "login_invalid" and "\u202e" not in refused.value.message


def test_the_cli_refuses_look_alike_logins_and_weak_passwords(settings, monkeypatch, tmp_path, capsys):
    for login in LOOK_ALIKES:
        assert J.run_cli(settings, monkeypatch, ["users", "add", login, "--role", "organizer"], "a good long phrase\n") == 2
    assert "Latin letters" in capsys.readouterr().err
    for password in ("password", "aaaaaaaa", "12345678", "serik2024"):
        assert J.run_cli(settings, monkeypatch, ["users", "add", "serik", "--role", "organizer"], password + "\n") == 2
    assert J.run_cli(settings, monkeypatch, ["users", "add", "serik", "--role", "organizer"], "a good long phrase\n") == 0
    assert J.run_cli(settings, monkeypatch, ["users", "reset-password", "serik"], "qwerty123\n") == 2
    assert J.run_cli(settings, monkeypatch, ["users", "reset-password", "serik", "--generate"]) == 0
    jurors = tmp_path / "jurors.jsonl"
    sample = [json.loads(line) for line in (SAMPLE / "jurors.jsonl").read_text(encoding="utf-8").splitlines()[:2]]
    sample[1]["id"] = "j\u200b02"  # a zero-width space
    jurors.write_text("".join(json.dumps(j, ensure_ascii=False) + "\n" for j in sample), encoding="utf-8")
    passwords = tmp_path / "passwords.csv"
    assert J.run_cli(settings, monkeypatch, ["users", "import", str(jurors), "--passwords", str(passwords)]) == 2
    assert not passwords.exists()  # refused before any account or file is made
    db = open_database(settings)
    try:
        assert [u["login"] for u in PeopleStore(db).users()[0]] == ["serik"]
    finally:
        db.close()


def test_the_api_refuses_look_alike_logins_and_weak_passwords(settings):
    db = open_database(settings)
    J.add(db, "admin", "admin")
    admin = J.bearer(J.token(db, "admin"))
    db.close()
    with TestClient(create_app(settings), headers=admin) as client:
        body = {"login": "serik", "role": "organizer", "name": "Серік Ахметов", "password": "a good long phrase"}
        for login in LOOK_ALIKES:
            r = client.post("/users", json={**body, "login": login})
            assert r.status_code == 422 and r.headers["content-type"] == "application/problem+json"
        for password, code in WEAK.items():
            r = client.post("/users", json={**body, "password": password})
            assert r.status_code == 422, (password, r.text)
            assert r.json()["code"] == (code if len(password) >= 8 else "invalid_request")  # schema length first
        r = client.post("/users", json={**body, "password": "ахметов1990"})
        assert r.status_code == 422 and r.json()["code"] == "password_personal"
        assert client.post("/users", json=body).status_code == 201


def test_pages_refuse_weak_passwords_in_the_interface_language(settings, tmp_path):
    db = open_database(settings)
    J.add(db, "admin", "admin")
    J.add(db, "ja", "juror", "ja")
    J.add(db, "zhuldyz", "juror", "zhuldyz")
    db.close()
    from markupsafe import escape

    with TestClient(create_app(settings, search_engine=J.FakeSearch())) as client:
        client_sign_in(client, "admin")
        token = CSRF_FIELD.search(client.get("/org/users").text)[1]
        added = client.post("/org/users?lang=ru", data={"login": "newone", "role": "organizer", "name": "",
                                                        "password": "password1", "csrf_token": token})
        assert added.status_code == 422
        assert str(escape(i18n.gettext("ru", "one of the most common passwords, which are guessed first"))) in added.text
        assert 'value="newone"' in added.text  # the form comes back as it was typed
        odd = client.post("/org/users?lang=en", data={"login": "nеwone", "role": "organizer",
                                                      "password": "a good long phrase", "csrf_token": token})
        assert odd.status_code == 422 and "Latin letters" in odd.text
        reset = client.post("/org/users/password?lang=kk", data={"login": "ja", "password": "11111111",
                                                                 "csrf_token": token})
        assert reset.status_code == 422
        assert str(escape(i18n.gettext("kk", "too simple: one character or a short pattern repeated, or a run along "
                                             "the alphabet or the keyboard"))) in reset.text
        client.cookies.clear()
        client_sign_in(client, "zhuldyz")
        token = CSRF_FIELD.search(client.get("/account/password").text)[1]
        mine = client.post("/account/password?lang=en", data={"current": "pw-zhuldyz-123", "new": "Zhuldyz2026!",
                                                               "confirm": "Zhuldyz2026!", "csrf_token": token})
        assert mine.status_code == 422
        assert "the login or the name, perhaps with digits or symbols added" in mine.text
