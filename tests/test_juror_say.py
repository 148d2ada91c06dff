"""The juror's own say (issue 23, item 4), over HTTP through the real app: a juror declares a conflict or abstains
before reading; the entry leaves their list and their scores leave the results (kept, listed as not counted);
organizers see it on the assignment page with the solver's suggested replacement, and on the progress board;
deadline extensions that scoring honours; reminders through a real local SMTP server (aiosmtpd) and as a CSV."""
from __future__ import annotations

import csv
import io
import logging
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy

import pytest
from fastapi.testclient import TestClient

from review_service.contest.accounts import set_email
from review_service.contest.permissions import entry_code
from review_service.core import i18n
from review_service.server import create_app
from review_service.storage import open_database
from tests import jury as J
from tests.pages import CSRF_FIELD, client_sign_in

SCORES = {"innovation": {"value": 7}, "feasibility": {"value": 3.5, "comment": "fine"}}


@pytest.fixture
def settings(settings):
    return settings.model_copy(update={"scoring_deadline": J.FUTURE})


@pytest.fixture
def world(settings, tmp_path):
    db = open_database(settings)
    world = J.build_world(db, settings, tmp_path)
    yield {**world, "db": db}
    db.close()


def _submit(client, world, who: str, entry: str) -> None:
    headers = J.bearer(world["tokens"][who])
    assert client.put(f"/entries/{entry}/review", json={"scores": SCORES}, headers=headers).status_code == 200
    assert client.post(f"/entries/{entry}/review/submit", headers=headers).status_code == 200


def _result(client, world, entry: str) -> dict:
    found = client.get("/results", headers=J.bearer(world["tokens"]["organizer"])).json()["items"]
    return next(r for r in found if r["entry_id"] == entry)


def _page_token(client, path: str) -> str:
    return CSRF_FIELD.search(client.get(path).text)[1]


def test_a_declared_conflict_takes_the_entry_off_the_list_and_the_scores_out_of_the_results(settings, world):
    db, e = world["db"], world["E"]
    code = entry_code(e)
    app = create_app(settings, search_engine=J.FakeSearch())
    with TestClient(app) as client:
        _submit(client, world, "juror_assigned", code)  # ja scored E before declaring
        before = _result(client, world, e)
        assert before["submitted"] == 1 and [t["juror"] for t in before["totals"]] == ["ja"]

        client_sign_in(client, "ja")
        first = client.get(f"/my/{code}?lang=en")
        assert first.status_code == 200
        html = first.text
        assert html.index("Before you read") < html.index('id="rubric"')  # the say comes before the content
        token = _page_token(client, f"/my/{code}")
        r = client.post(f"/my/{code}/declaration", data={"kind": "conflict", "reason": "workplace",
                                                          "note": "Мы работаем в одной библиотеке.",
                                                          "csrf_token": token}, follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"] == "/my?declared=conflict"
        listing = client.get("/my?declared=conflict&lang=en").text
        assert code not in listing and "Your conflict of interest is recorded" in listing
        assert client.get(f"/my/{code}").status_code == 404
        headers = J.bearer(world["tokens"]["juror_assigned"])
        assert client.get(f"/entries/{code}", headers=headers).status_code == 404
        assert code not in client.get("/assignments/mine", headers=headers).json()["entries"]

        after = _result(client, world, e)  # the review is kept, listed, and not counted
        assert after["submitted"] == 0 and after["totals"] == [] and after["raw_mean"] is None
        assert after["not_counted"] == [{"juror": "ja", "total": 17.5, "reason": "declared_conflict", "since": None}]
        assert before["required"] - after["required"] == 1
        assert len(db.scores(e)) == 2  # nothing deleted
        staff = J.bearer(world["tokens"]["organizer"])
        scores_csv = client.get("/exports/scores.csv", headers=staff).text
        assert "declared_conflict" in scores_csv

        board = client.get("/progress", headers=staff).json()
        cell = next(c for c in board["cells"] if c["juror"] == "ja" and c["entry"] == e)
        assert cell["status"] == "conflict" and cell["source"] == "juror" and not cell["overdue"]
        assert next(c for c in board["cells"] if c["juror"] == "jc" and c["entry"] == e)["source"] == "matching"
        assert board["counts"]["conflict"] == 2

        declared = client.get("/declarations", headers=staff).json()
        assert [(d["juror"], d["entry"], d["kind"], d["reason"]) for d in declared] == [
            ("ja", e, "conflict", "workplace")]
        # E has ja, jc (conflict found by matching: blocked) and jd; ju is the only juror free for E
        assert declared[0]["in_draft"] and declared[0]["suggested"]["juror"] == "ju"

        client.cookies.clear()
        client_sign_in(client, "organizer")
        page = client.get("/org/assignment?lang=en").text
        assert "Declared by the jurors" in page and "Мы работаем в одной библиотеке." in page
        assert "Suggested in their place: ju" in page
        board_page = client.get("/org/progress?lang=en").text
        assert "I work with the entrant" in board_page
        version = int(page.split('name="expect_version" value="')[1].split('"')[0])
        r = client.post("/org/assignment/replace", data={"juror": "ja", "entry": e, "with_juror": "ju",
                                                         "expect_version": version,
                                                         "csrf_token": _page_token(client, "/org/assignment")},
                        follow_redirects=False)
        assert r.status_code == 303 and "error" not in r.headers["location"]
        draft = client.get("/assignments/draft", headers=staff).json()
        jurors_on_e = {row["juror"] for row in draft["entries"][e]["jurors"]}
        assert "ju" in jurors_on_e and "ja" not in jurors_on_e and f"ja:{e}" in draft["forbids"]
        published = client.get("/assignments/published", headers=staff).json()
        assert "ju" not in {row["juror"] for row in published["entries"][e]["jurors"]}  # a person publishes

    said = [a for a in db.audit_log(e) if a["action"] == "juror_declared"]
    assert len(said) == 1 and said[0]["actor"] == "ja"
    report = db.verify_audit()
    assert report.intact, report.problems


def test_declaring_checks_its_input_escapes_the_note_and_is_final(settings, world):
    e, f = world["E"], world["F"]
    app = create_app(settings, search_engine=J.FakeSearch())
    ja = J.bearer(world["tokens"]["juror_assigned"])
    with TestClient(app) as client:
        url = f"/entries/{entry_code(f)}/declaration"
        assert client.post(url, json={"kind": "abstain"}, headers=ja).json()["code"] == "reason_needed"
        assert client.post(url, json={"kind": "abstain", "reason": "other"}, headers=ja).json()["code"] == "note_needed"
        too_long = client.post(url, json={"kind": "abstain", "reason": "other", "note": "я" * 501}, headers=ja)
        assert too_long.status_code == 422
        assert client.post(url, json={"kind": "maybe"}, headers=ja).status_code == 422
        assert client.post(f"/entries/{entry_code(e)}/declaration", json={"kind": "none"},
                           headers=J.bearer(world["tokens"]["juror_unassigned"])).status_code == 404  # not theirs

        client_sign_in(client, "ja")
        token = _page_token(client, f"/my/{entry_code(f)}")
        r = client.post(f"/my/{entry_code(f)}/declaration?lang=en", data={"kind": "abstain", "reason": "other",
                                                                           "note": "x" * 600, "csrf_token": token})
        assert r.status_code == 422 and "The note is too long: at most 500 characters." in r.text
        r = client.post(f"/my/{entry_code(f)}/declaration", data={"kind": "none", "csrf_token": token},
                        follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"] == f"/my/{entry_code(f)}"
        opened = client.get(f"/my/{entry_code(f)}?lang=en").text
        assert "Before you read" not in opened and "Declare a conflict of interest or abstain" in opened

        hostile = '<script>alert(1)</script>\u202e\x00 читаю только по-русски'
        made = client.post(url, json={"kind": "abstain", "reason": "language", "note": hostile}, headers=ja)
        assert made.status_code == 201, made.text
        assert made.json()["note"] == "<script>alert(1)</script> читаю только по-русски"
        assert made.json()["entry"] == entry_code(f)  # blind review: the code, never the id
        again = client.post(url, json={"kind": "conflict", "reason": "personal"}, headers=ja)
        assert again.status_code in (404, 409)  # the entry has left the juror's scope: no second say

        client.cookies.clear()
        client_sign_in(client, "organizer")
        board = client.get("/org/progress").text
        assert "<script>alert(1)</script>" not in board and "&lt;script&gt;alert(1)&lt;/script&gt;" in board
        assert "\u202e" not in board
        assert "ja — not counted (the juror abstained)" in client.get("/org/results?lang=en").text  # no scores
        cell = next(c for c in client.get("/progress", headers=J.bearer(world["tokens"]["organizer"])).json()["cells"]
                    if c["juror"] == "ja" and c["entry"] == f)
        assert cell["status"] == "abstained"

    db = world["db"]
    assert db.verify_audit().intact
    with db.transaction() as conn:  # undone behind the log's back: audit verify names the row
        conn.exec_driver_sql("UPDATE juror_declarations SET kind = 'none' WHERE kind = 'abstain'")
    found = db.verify_audit().problems
    assert [(p.kind, p.table) for p in found] == [("table_edited", "juror_declarations")]


def test_an_extension_moves_one_jurors_deadline_and_the_board_marks_overdue_cells(settings, world):
    past = datetime.now(UTC) - timedelta(days=1)
    late = settings.model_copy(update={"scoring_deadline": past})
    app = create_app(late, search_engine=J.FakeSearch())
    staff = J.bearer(world["tokens"]["organizer"])
    ja, ju = J.bearer(world["tokens"]["juror_assigned"]), J.bearer(world["tokens"]["juror_unassigned"])
    f = world["F"]
    with TestClient(app) as client:
        refused = client.put(f"/entries/{entry_code(f)}/review", json={"scores": SCORES}, headers=ja)
        assert refused.status_code == 409 and refused.json()["code"] == "deadline_passed"
        board = client.get("/progress", headers=staff).json()
        assert {(c["juror"], c["entry"]) for c in board["cells"] if c["overdue"]} >= {("ja", f), ("ju", f)}

        earlier = client.post("/progress/extensions", headers=staff, json={
            "scope": "juror", "target": "ja", "until": (past - timedelta(hours=1)).isoformat()})
        assert earlier.status_code == 422 and earlier.json()["code"] == "deadline_not_later"
        assert client.post("/progress/extensions", headers=staff, json={
            "scope": "juror", "target": "nobody", "until": J.FUTURE.isoformat()}).status_code == 404
        until = (datetime.now(UTC) + timedelta(days=2)).replace(microsecond=0)
        made = client.post("/progress/extensions", headers=staff, json={
            "scope": "juror", "target": "ja", "until": until.isoformat(), "reason": "ill for two days"})
        assert made.status_code == 201 and made.json()["actor"] == "organizer"

        assert client.put(f"/entries/{entry_code(f)}/review", json={"scores": SCORES}, headers=ja).status_code == 200
        assert client.put(f"/entries/{entry_code(f)}/review", json={"scores": SCORES}, headers=ju).status_code == 409
        board = client.get("/progress", headers=staff).json()
        cell = next(c for c in board["cells"] if (c["juror"], c["entry"]) == ("ja", f))
        assert cell["status"] == "draft" and not cell["overdue"]
        assert datetime.fromisoformat(cell["deadline"]) == until
        assert next(c for c in board["cells"] if (c["juror"], c["entry"]) == ("ju", f))["overdue"]

        client_sign_in(client, "organizer")  # the page's form: an entry's extension, a time without a zone
        token = _page_token(client, "/org/progress")
        r = client.post("/org/progress/extensions", data={"scope": "entry", "target": f, "until": "2099-01-02T18:00",
                                                          "reason": "", "csrf_token": token}, follow_redirects=False)
        assert r.headers["location"] == "/org/progress?done=extended"
        assert client.put(f"/entries/{entry_code(f)}/review", json={"scores": SCORES}, headers=ju).status_code == 200
        page = client.get("/org/progress?lang=en").text
        assert "overdue" in page
        client.cookies.clear()
        client_sign_in(client, "ja")
        mine = client.get("/my?lang=en").text
        assert mine.count("extended to") == 2  # both of ja's entries: the juror's extension
    extended = [a for a in world["db"].audit_log() if a["action"] == "deadline_extended"]
    assert [a["subject"] for a in extended] == ["juror:ja", f"entry:{f}"] and extended[0]["actor"] == "organizer"


class _Inbox:
    """An aiosmtpd handler keeping every message it receives (and an authenticator for one account)."""

    def __init__(self) -> None:
        self.messages: list = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((list(envelope.rcpt_tos), message_from_bytes(envelope.content, policy=policy.default)))
        return "250 OK"


@pytest.mark.slow  # over 10 s: in the slow suite, to keep the default one under 8 min
def test_reminders_reach_a_real_smtp_server_in_each_jurors_language_or_come_as_a_csv(settings, world, monkeypatch,
                                                                                       tmp_path, caplog):
    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult
    from pydantic import SecretStr

    from review_service.core.errors import InputError
    from tests.web import free_port

    db = world["db"]
    set_email(db, "ja", "ja@jury.example.org", "test")
    assert J.run_cli(settings, monkeypatch, ["users", "email", "ju", "ju@jury.example.org"]) == 0
    assert J.run_cli(settings, monkeypatch, ["users", "email", "ju", "not an address"]) == 2
    # jc: no open cell (a conflict found by matching); jd: disabled
    with pytest.raises(InputError, match="not an e-mail"):
        set_email(db, "jc", "not an address", "test")
    inbox = _Inbox()

    def authenticator(server, session, envelope, mechanism, auth_data):
        return AuthResult(success=auth_data.login == b"mailer" and auth_data.password == b"s3cret-smtp-pass")

    controller = Controller(inbox, hostname="127.0.0.1", port=free_port(), authenticator=authenticator,
                            auth_require_tls=False)
    controller.start()
    try:
        smtp = settings.model_copy(update={"smtp_host": "127.0.0.1", "smtp_port": controller.port,
                                           "smtp_security": "none", "smtp_from": "jury@contest.example.kz",
                                           "smtp_user": "mailer", "smtp_password": SecretStr("s3cret-smtp-pass"),
                                           "public_url": "https://jury.example.kz"})
        app = create_app(smtp, search_engine=J.FakeSearch())
        with TestClient(app) as client:
            client.get("/login?lang=ru")
            client_sign_in(client, "ja")  # ja signs in with the Russian interface: their reminder is in Russian
            client.cookies.clear()
            caplog.set_level(logging.DEBUG)
            r = client.post("/reminders", headers=J.bearer(world["tokens"]["organizer"]))
            assert r.status_code == 200, r.text
            assert r.json() == {"sent": ["ja", "ju"], "no_email": [], "failed": []}
        got = {to[0]: m for to, m in inbox.messages}
        assert set(got) == {"ja@jury.example.org", "ju@jury.example.org"}
        ru, kk = got["ja@jury.example.org"], got["ju@jury.example.org"]
        assert ru["Subject"] == i18n.gettext("ru", "Reminder: %(n)s entries await your review", n=2)
        assert kk["Subject"] == i18n.gettext("kk", "Reminder: %(n)s entries await your review", n=2)  # the default
        assert ru["Subject"] == "Напоминание: работ, ждущих вашей оценки: 2" and kk["Subject"] != ru["Subject"]
        assert ru["From"] == "jury@contest.example.kz" and ru["Content-Language"] == "ru"
        body = ru.get_content()
        assert entry_code(world["E"]) in body and entry_code(world["F"]) in body and "https://jury.example.kz/my" in body
        assert entry_code(world["G"]) in kk.get_content() and entry_code(world["G"]) not in body
        assert all(p not in body + kk.get_content() for p in J.personal_strings())  # codes only
        ours = "\n".join(r.getMessage() for r in caplog.records if r.name.startswith("review_service"))
        assert "s3cret-smtp-pass" not in ours
        assert [a["after"] for a in db.audit_log("reminders") if a["action"] == "reminders_sent"]

        wrong = smtp.model_copy(update={"smtp_password": SecretStr("wrong-password")})
        with TestClient(create_app(wrong, search_engine=J.FakeSearch())) as client:
            r = client.post("/reminders", headers=J.bearer(world["tokens"]["organizer"]))
            assert r.status_code == 409 and r.json()["code"] == "smtp_failed"
            assert "wrong-password" not in r.text + "\n".join(
                r.getMessage() for r in caplog.records if r.name.startswith("review_service"))
    finally:
        controller.stop()

    set_email(db, "ju", "", "test")
    with TestClient(create_app(settings, search_engine=J.FakeSearch())) as client:  # no mail server: the CSV
        staff = J.bearer(world["tokens"]["organizer"])
        assert client.post("/reminders", headers=staff).json()["code"] == "smtp_not_configured"
        rows = list(csv.DictReader(io.StringIO(client.get("/exports/reminders.csv", headers=staff).text.lstrip("\ufeff"))))
        assert [(r["juror"], r["email"], r["lang"], r["open"]) for r in rows] == [
            ("ja", "ja@jury.example.org", "ru", "2"), ("ju", "", "kk", "2")]
        assert rows[0]["subject"] == i18n.gettext("ru", "Reminder: %(n)s entries await your review", n=2)
        client_sign_in(client, "organizer")
        page = client.get("/org/progress?lang=en").text
        assert "Download the reminders (CSV)" in page and "Send reminders by e-mail" not in page
        assert client.get("/org/progress/reminders.csv").text == client.get("/exports/reminders.csv",
                                                                             headers=staff).text
    out = tmp_path / "merge.csv"
    assert J.run_cli(settings, monkeypatch, ["reminders", "--csv", str(out)]) == 0
    assert len(list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig"))))) == 2
    assert J.run_cli(settings, monkeypatch, ["reminders"]) == 2  # no server, no --csv: says what to do


def test_with_declare_first_the_entry_page_shows_only_the_say_until_the_juror_answers(settings, world):
    strict = settings.model_copy(update={"declare_first": True})
    code = entry_code(world["E"])
    with TestClient(create_app(strict, search_engine=J.FakeSearch())) as client:
        client_sign_in(client, "ja")
        before = client.get(f"/my/{code}?lang=en").text
        assert "Before you read" in before and 'id="rubric"' not in before and "Бот обучен на каталоге." not in before
        token = _page_token(client, f"/my/{code}")
        refused = client.post(f"/my/{code}/review?lang=en", data={"action": "save", "score-innovation": "7",
                                                                  "csrf_token": token})
        assert refused.status_code == 409 and "First say whether you have a conflict" in refused.text
        assert client.post(f"/my/{code}/declaration", data={"kind": "none", "csrf_token": token},
                           follow_redirects=False).status_code == 303
        after = client.get(f"/my/{code}?lang=en").text
        assert 'id="rubric"' in after and "Бот обучен на каталоге." in after and "Before you read" not in after
        saved = client.post(f"/my/{code}/review", data={"action": "save", "score-innovation": "7",
                                                        "csrf_token": token}, follow_redirects=False)
        assert saved.status_code == 303
