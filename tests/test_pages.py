"""Pages: sign-in and sign-out, CSRF on every page form, blind review on every juror page and original, citation
links, and every page in a real browser (headless Chromium) with axe-core in kk, ru and en. The three long flows
(upload a batch, score, download) are in test_pages_e2e.py (slow)."""
from __future__ import annotations

import copy
import re

import pytest
from fastapi.testclient import TestClient

from review_service.contest.permissions import entry_code
from review_service.core import i18n
from review_service.server import create_app
from review_service.storage import open_database
from review_service.web.views import anchor_target, citation
from tests import files as F
from tests import jury as J
from tests.pages import client_sign_in, page_routes, serious_violations, shot
from tests.web import running

PDF_NAME = "ЖИ байқауы_Нұрпейісова.pdf"
PDF_AUTHOR = "Нұрпейісова Гүлназ"


@pytest.fixture
def settings(settings):
    return settings.model_copy(update={"scoring_deadline": J.FUTURE})


@pytest.fixture
def world(settings, tmp_path):
    """tests/jury.py's world, plus a PDF entry (its metadata names the applicant) published for juror ja, with a
    draft note citing its page 2, and a batch job."""
    from review_service.batches.batch import ScreenOptions
    from review_service.batches.job_runner import submit
    from review_service.batches.pipeline import run_screen

    db = open_database(settings)
    world = J.build_world(db, settings, tmp_path)
    folder = tmp_path / "pdf"
    folder.mkdir()
    F.make_pdf(folder / PDF_NAME, ["Кітапхана жобасы. Кіріспе.", "Екінші бет: чат-бот каталог бойынша жауап береді."],
               title="Жоба", author=PDF_AUTHOR)
    forms = folder / "forms.csv"
    forms.write_text(J.FORMS_HEADER + f'{PDF_NAME},Нұрпейісова,Гүлназ,30,Атырау облыстық кітапханасы,public_mcib,'
                     'Атырау облысы,"g.nurpeis@example.org, +7 712 200 11 22",individual,,Чат-бот,'
                     '2026-10-05T10:15:00+05:00\n', encoding="utf-8")
    run_screen(folder, settings, ScreenOptions(stages=(), progress=False, forms=forms))
    pdf = next(r["entry_id"] for r in db.submissions() if r["file_name"] == PDF_NAME)
    notes = db.latest_ai_result("notes")["payload"]
    notes.append({"doc_id": pdf, "lang": "kk", "disclaimer": "AI draft", "summary_mode": "extractive",
                  "provenance": {"model": "test"},
                  "summary": [{"text": "Чат-бот каталог бойынша жауап береді.", "anchors": ["page 2"],
                               "origin": "extractive"}]})
    db.save_ai_result("notes", notes, {"model": "test", "input_hash": "h2"})
    payload = copy.deepcopy(db.latest_assignment("published")["payload"])
    payload["entries"][pdf] = {"jurors": [J._row("ja")]}
    J.publish(db, world["organizer"], payload)
    world["job"] = submit(db, tmp_path / "entries", ScreenOptions(progress=False))["id"]
    world["PDF"] = pdf
    yield {**world, "db": db}
    db.close()


def personal() -> list[str]:
    return [*J.personal_strings(), "Нұрпейісова", PDF_NAME, "g.nurpeis@example.org", "Атырау облыстық кітапханасы"]


def test_sign_in_wrong_password_next_and_sign_out(settings, world):
    with TestClient(create_app(settings, search_engine=J.FakeSearch())) as client:
        page = client.get("/login", params={"lang": "ru"})
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)[1]
        wrong = client.post("/login", data={"username": "ja", "password": "nope-nope", "csrf_token": token})
        assert wrong.status_code == 401 and i18n.gettext("ru", "Wrong login or password, or the account is "
                                                                "disabled.") in wrong.text
        unknown = client.post("/login", data={"username": "nobody", "password": "nope-nope", "csrf_token": token})
        assert unknown.text.replace("nobody", "ja") == wrong.text.replace('value="ja"', 'value="ja"')  # no hint
        assert client.post("/login", data={"username": "ja", "password": "pw-ja-123"}).status_code == 403  # no CSRF
        for target, expected in (("/my/x?y=1", "/my/x?y=1"), ("//evil.example/", "/"), ("https://evil/", "/"),
                                 ("/\\evil", "/")):
            r = client.post("/login", data={"username": "ja", "password": "pw-ja-123", "csrf_token": token,
                                            "next": target}, follow_redirects=False)
            assert r.status_code == 303 and r.headers["location"] == expected
            cookie = r.headers["set-cookie"].lower()
            assert "review_session=" in cookie and "httponly" in cookie and "samesite=lax" in cookie
        assert client.get("/", follow_redirects=False).headers["location"] == "/my"
        assert client.get("/org", follow_redirects=False).status_code == 403  # a juror on an organizer page
        assert client.post("/logout", data={"csrf_token": token}, follow_redirects=False).status_code == 303
        assert client.get("/my", follow_redirects=False).headers["location"] == "/login?next=/my"
        client_sign_in(client, "organizer")
        assert client.get("/", follow_redirects=False).headers["location"] == "/org"


def test_every_page_form_and_cookie_signed_api_write_needs_the_csrf_token(settings, world):
    app = create_app(settings, search_engine=J.FakeSearch())
    posts = [path for method, path in page_routes(app) if method == "POST"]
    assert len(posts) == 26
    with TestClient(app) as client:
        for path in posts:
            client.cookies.clear()
            login = "ja" if path.startswith("/my") else "admin" if path.startswith("/org/users") else "organizer"
            client_sign_in(client, login)
            url = (path.replace("{key}", entry_code(world["E"])).replace("{sentence}", "0")
                   .replace("{entry_id}", world["E"]).replace("{check}", "file_name").replace("{login}", "victim")
                   .replace("{juror_id}", "ja").replace("{job_id}", "1"))
            r = client.post(url, data={"verdict": "helpful"}, follow_redirects=False)
            assert r.status_code == 403 and "text/html" in r.headers["content-type"], path
        client_sign_in(client, "organizer")
        assert client.post("/rubric", json={"criteria": J.RUBRIC}).status_code == 403  # cookie, no header
        assert client.post("/rubric", json={"criteria": J.RUBRIC},
                           headers=J.bearer(world["tokens"]["organizer"])).status_code == 201


def test_a_juror_in_blind_review_sees_no_personal_field_and_gets_originals_under_codes(settings, world):
    from pypdf import PdfReader

    code = entry_code(world["PDF"])
    with TestClient(create_app(settings)) as client:
        client_sign_in(client, "ja")
        texts = {path: client.get(path).text for path in ("/my", f"/my/{code}", f"/my/{entry_code(world['E'])}")}
        for path, text in texts.items():
            assert [p for p in personal() if p in text] == [], path
        assert f'href="/files/{code}?page=2#page=2&amp;navpanes=0" target="original"' in texts[f"/my/{code}"]
        original = client.get(f"/files/{code}")
        assert original.status_code == 200 and original.headers["content-type"] == "application/pdf"
        assert original.headers["content-disposition"] == f'inline; filename="{code}.pdf"'
        import io

        assert PDF_AUTHOR not in str(PdfReader(io.BytesIO(original.content)).metadata or {})
        assert PDF_AUTHOR.encode("utf-16-be") not in original.content and PDF_AUTHOR.encode() not in original.content
        by_id = client.get(f"/files/{world['PDF']}")  # the id works too (as in the API), still under the code
        assert by_id.headers["content-disposition"] == f'inline; filename="{code}.pdf"'
        assert client.get(f"/files/{entry_code(world['G'])}").status_code == 404  # not assigned to ja
        assert client.get(f"/my/{entry_code(world['G'])}").status_code == 404
        client.cookies.clear()
        client_sign_in(client, "organizer")
        staff = client.get(f"/files/{world['PDF']}")
        assert staff.status_code == 200 and "filename*=UTF-8''" in staff.headers["content-disposition"]


@pytest.mark.parametrize(("label", "fmt", "href"), [
    ("page 3", "pdf", "/files/K?page=3#page=3&navpanes=0"), ("slide 2 (notes)", "pptx", "#at-slide-2"),
    ("section 4", "docx", "#at-section-4"), ("01:20–01:35", "audio", "/files/K#t=80,95"),
    ("00:01:23", "video", "/files/K#t=83"), ("page 2", "docx", "#at-page-2")])
def test_citations_jump_to_the_page_slide_place_or_moment(label, fmt, href):
    link = citation(label, "/files/K", fmt, True)
    assert link["href"] == href
    assert ("seek" in link) == (fmt in ("audio", "video"))
    assert anchor_target("01:02:03")["seconds"] == 3723 and "until" not in anchor_target("01:02:03")
    assert anchor_target("01:20–01:35")["until"] == 95 and anchor_target("00:07–00:07")["until"] == 8


def _page_paths(world) -> dict[str, list[str]]:
    code = entry_code(world["PDF"])
    return {"organizer": ["/org", "/org/batches", f"/org/batches/{world['job']}", "/org/entries",
                          f"/org/entries/{world['E']}", "/org/duplicates", "/org/assignment", "/org/progress",
                          "/org/results",
                          "/org/decisions", "/org/audit", "/org/search?q=chat", "/org/users", "/org/rubric",
                          "/org/themes", "/account/password", "/my"],  # the last: the 403 page
            "admin": ["/org/users", "/org/rubric"],  # the users' forms are an admin's
            "ja": ["/my", f"/my/{code}", f"/my/{entry_code(world['E'])}", "/account/password"]}


NARROW = {"organizer": ["/org/results", "/org/assignment", "/org/progress", "/org/batches", "/account/password"],
          "admin": ["/org/users"]}


@pytest.mark.slow  # over 10 s: in the slow suite, to keep the default one under 8 min
def test_every_page_in_a_real_browser_is_accessible_in_every_language(settings, world, browser):
    """Every page (organizer and juror, and the error page) at 1280 px in kk, ru, en, and the juror's pages and
    the results at 390 px: no serious or critical axe violation; a juror's rendered text holds no personal field;
    one screenshot per page and language (var/test-artifacts/screenshots/page-*.png). ja's review of E is
    submitted first, so the organizer's entry page shows its reopen form."""
    from review_service.contest import scoring

    ja = world["jurors"]["ja"]
    scoring.save_review(world["db"], world["E"], {"innovation": {"value": 7},
                                                  "feasibility": {"value": 3.5, "comment": "fine"}}, ja,
                        deadline=J.FUTURE)
    scoring.submit_review(world["db"], world["E"], ja, deadline=J.FUTURE)
    app = create_app(settings, search_engine=J.FakeSearch())
    covered = {p.split("?")[0] for paths in _page_paths(world).values() for p in paths}
    gets = {path for method, path in page_routes(app) if method == "GET"}
    assert len(covered) >= len(gets) - 7  # / and /login redirect or are tested in test_i18n; files, map, CSV: not pages
    problems: list[str] = []
    with running(app) as base:
        for login, paths in _page_paths(world).items():
            context = browser.new_context(viewport={"width": 1280, "height": 800})
            page = context.new_page()
            page.goto(f"{base}/login")
            page.fill("#username", login)
            page.fill("#password", f"pw-{login}-123")
            page.press("#password", "Enter")
            page.wait_for_load_state()
            for lang in i18n.LANGUAGES:
                for path in paths:
                    sep = "&" if "?" in path else "?"
                    page.goto(f"{base}{path}{sep}lang={lang}")
                    assert page.locator("html").get_attribute("lang") == lang
                    problems += [f"{login} {path} {lang}: {v}" for v in serious_violations(page)]
                    if path == f"/org/entries/{world['E']}":  # the reopen form is on the page axe checked
                        assert page.locator('form[action$="/reviews/ja/reopen"]').count() == 1
                    if login == "ja":
                        text = page.inner_text("body")
                        problems += [f"ja {path}: {p!r}" for p in personal() if p in text]
                    name = re.sub(r"[^a-z0-9]+", "-", path.split("?")[0].strip("/").lower() or "home")[:40]
                    shot(page, f"page-{login}-{name}-{lang}")
            page.set_viewport_size({"width": 390, "height": 844})
            for path in NARROW.get(login, paths):
                page.goto(f"{base}{path}?lang=kk")
                problems += [f"{login} {path} 390px: {v}" for v in serious_violations(page)]
                width = page.evaluate("document.documentElement.scrollWidth")
                if width > 400:
                    problems.append(f"{login} {path}: {width}px wide on a 390-px phone")
                shot(page, f"page-{login}-{path.strip('/').replace('/', '-')[:30]}-390")
            context.close()
    assert problems == []


# -- the organizer's writes of issue 14b: rubric, users, reopening, eligibility and award -------------------------
def _form_token(client, path: str) -> str:
    from tests.pages import CSRF_FIELD

    return CSRF_FIELD.search(client.get(path).text)[1]


def _rubric_form(criteria: list[dict]) -> dict:
    data = {"rows": str(len(criteria))}
    for i, c in enumerate(criteria):
        data.update({f"c{i}-id": c["id"], f"c{i}-weight": str(c["weight"]), f"c{i}-min": str(c.get("min", 0)),
                     f"c{i}-max": str(c.get("max", 10)), f"c{i}-step": str(c.get("step", 1))})
        data.update({f"c{i}-name-{lang}": c["name"].get(lang, "") for lang in i18n.LANGUAGES})
        if c.get("comment_required"):
            data[f"c{i}-comment"] = "1"
    return data


def test_an_organizer_publishes_a_rubric_version_from_the_form(settings, world):
    from review_service.contest import scoring

    db = world["db"]
    before = scoring.current_rubric(db)["version"]
    new = {"id": "impact", "name": {"kk": "Әсері", "ru": "Влияние", "en": "Impact"}, "weight": "1,5", "min": 0,
           "max": 4, "step": 0.5}
    with TestClient(create_app(settings, search_engine=J.FakeSearch())) as client:
        client_sign_in(client, "organizer")
        shown = client.get("/org/rubric?lang=en")
        assert 'name="c1-name-ru"' in shown.text and 'value="Реализуемость"' in shown.text  # rows of the current one
        token = _form_token(client, "/org/rubric?lang=en")
        more = client.post("/org/rubric", data={**_rubric_form(J.RUBRIC), "action": "add", "csrf_token": token})
        assert more.status_code == 200 and 'id="c2-id"' in more.text and scoring.current_rubric(db)["version"] == before
        bad = {**new, "id": "Bad id", "max": 4.25, "name": {"kk": "Әсері", "ru": "", "en": "Impact"}}
        refused = client.post("/org/rubric?lang=ru", data={**_rubric_form([*J.RUBRIC, bad]), "action": "publish",
                                                           "csrf_token": token})
        assert refused.status_code == 422 and scoring.current_rubric(db)["version"] == before
        assert i18n.gettext("ru", "The rubric was not published:") in refused.text
        assert i18n.gettext("ru", "lowercase Latin letters, digits and _ only") in refused.text
        assert 'href="#c2-id"' in refused.text and 'value="Bad id"' in refused.text  # the form keeps what was typed
        wrong_scale = client.post("/org/rubric?lang=kk", data={**_rubric_form([{**new, "max": 4.25}]),
                                                               "action": "publish", "csrf_token": token})
        assert i18n.gettext("kk", "the maximum must be the minimum plus a whole number of steps") in wrong_scale.text
        ok = client.post("/org/rubric", data={**_rubric_form([*J.RUBRIC, new]), "c0-remove": "1",
                                              "action": "publish", "csrf_token": token}, follow_redirects=False)
        assert ok.status_code == 303 and ok.headers["location"] == "/org/rubric?notice=published"
        published = scoring.current_rubric(db)
        assert published["version"] == before + 1 and [c["id"] for c in published["criteria"]] == ["feasibility",
                                                                                                  "impact"]
        assert published["criteria"][1]["weight"] == 1.5 and published["criteria"][0]["comment_required"] is True
        no_csrf = client.post("/org/rubric", data={**_rubric_form([new]), "action": "publish"})
        assert no_csrf.status_code == 403
        client.cookies.clear()
        client_sign_in(client, "ja")
        assert 'name="c0-id"' not in client.get("/org/rubric").text  # a juror reads the rubric, without the form
        assert client.post("/org/rubric", data={**_rubric_form([new]), "action": "publish",
                                                "csrf_token": _form_token(client, "/my")}).status_code == 403
    assert scoring.current_rubric(db)["version"] == before + 1


def test_an_admin_adds_disables_and_enables_users_and_an_organizer_only_reads(settings, world):
    from review_service.storage.account_store import PeopleStore

    store = PeopleStore(world["db"])
    with TestClient(create_app(settings, search_engine=J.FakeSearch())) as client:
        client_sign_in(client, "admin")
        token = _form_token(client, "/org/users")
        short = client.post("/org/users?lang=ru", data={"login": "asel", "role": "juror", "juror_id": "j9",
                                                        "password": "short", "csrf_token": token})
        assert short.status_code == 422 and store.user("asel") is None
        assert i18n.gettext("ru", "at least 8 characters") in short.text and 'href="#user-password"' in short.text
        no_id = client.post("/org/users?lang=kk", data={"login": "asel", "role": "juror", "password": "long-enough-1",
                                                        "csrf_token": token})
        assert no_id.status_code == 422
        assert i18n.gettext("kk", "a juror account needs the juror's id (from the jurors file)").replace(
            "'", "&#39;") in no_id.text
        taken = client.post("/org/users?lang=en", data={"login": "victim", "role": "organizer",
                                                        "password": "long-enough-1", "csrf_token": token})
        assert taken.status_code == 422 and "this login is taken" in taken.text
        unknown = client.post("/org/users?lang=ru", data={"login": "asel", "role": "juror", "juror_id": "j9",
                                                          "password": "long-enough-1", "csrf_token": token})
        assert unknown.status_code == 422 and store.user("asel") is None
        assert i18n.gettext("ru", "no such juror in the jury: import the jurors file first") in unknown.text
        store.save_jury([{"id": "j9", "name": "Әсел"}], "test")
        linked = store.users(role="juror")[0][0]["juror_id"]  # a profile that has its account already
        second = client.post("/org/users?lang=kk", data={"login": "twin", "role": "juror", "juror_id": linked,
                                                         "password": "long-enough-1", "csrf_token": token})
        assert second.status_code == 422 and store.user("twin") is None
        assert i18n.gettext("kk", "this juror already has an account") in second.text
        added = client.post("/org/users", data={"login": "asel", "role": "juror", "juror_id": "j9", "name": "Әсел",
                                                "password": "long-enough-1", "csrf_token": token},
                            follow_redirects=False)
        assert added.status_code == 303 and store.user("asel")["juror_id"] == "j9"
        assert client.post("/org/users/asel/disable", data={"csrf_token": token},
                           follow_redirects=False).status_code == 303
        assert store.user("asel")["disabled"]
        assert client.post("/org/users/asel/enable", data={"csrf_token": token},
                           follow_redirects=False).status_code == 303
        assert not store.user("asel")["disabled"]
        assert client.post("/org/users/nobody/disable", data={"csrf_token": token}).status_code == 404
        assert client.post("/org/users/asel/disable").status_code == 403  # no CSRF token
        assert client.post("/org/users", data={"login": "b", "role": "organizer",
                                               "password": "long-enough-1"}).status_code == 403
        client.cookies.clear()
        client_sign_in(client, "organizer")
        listed = client.get("/org/users?lang=en")
        assert "asel" in listed.text and 'action="/org/users"' not in listed.text and "/disable" not in listed.text
        token = _form_token(client, "/org/users")
        assert client.post("/org/users/asel/disable", data={"csrf_token": token}).status_code == 403
        assert client.post("/org/users", data={"login": "b", "role": "organizer", "password": "long-enough-1",
                                               "csrf_token": token}).status_code == 403
    assert not store.user("asel")["disabled"] and store.user("b") is None
    with TestClient(create_app(settings)) as api:  # the API enables too (admins)
        assert api.post("/users/asel/enable", headers=J.bearer(world["tokens"]["admin"])).status_code == 200
        assert api.post("/users/asel/enable", headers=J.bearer(world["tokens"]["organizer"])).status_code == 403


def test_an_organizer_reopens_a_submitted_review_with_a_reason(settings, world):
    from review_service.contest import scoring
    from review_service.storage.jury_store import JuryStore

    db, e = world["db"], world["E"]
    ja = world["jurors"]["ja"]
    scoring.save_review(db, e, {"innovation": {"value": 7}, "feasibility": {"value": 3.5, "comment": "fine"}}, ja,
                        deadline=J.FUTURE)
    scoring.submit_review(db, e, ja, deadline=J.FUTURE)
    url = f"/org/entries/{e}/reviews/ja/reopen"
    with TestClient(create_app(settings, search_engine=J.FakeSearch())) as client:
        client_sign_in(client, "ja")
        assert client.post(url, data={"reason": "x", "csrf_token": _form_token(client, "/my")}).status_code == 403
        client.cookies.clear()
        client_sign_in(client, "organizer")
        shown = client.get(f"/org/entries/{e}?lang=en")
        assert f'action="{url}"' in shown.text
        token = _form_token(client, f"/org/entries/{e}")
        assert client.post(url, data={"reason": "asked by the juror"}).status_code == 403  # no CSRF token
        client.get("/org?lang=ru")  # the language is remembered across the redirect back to the entry page
        empty = client.post(url, data={"reason": " ", "csrf_token": token})
        assert i18n.gettext("ru", "Give the reason for reopening (it goes into the audit trail).") in empty.text
        assert JuryStore(db).review(e, "ja")["status"] == "submitted"
        done = client.post(url, data={"reason": "asked by the juror", "csrf_token": token}, follow_redirects=False)
        assert done.status_code == 303 and "notice=reopened" in done.headers["location"]
        assert JuryStore(db).review(e, "ja")["status"] == "draft"
        client.get("/org?lang=kk")
        again = client.post(url, data={"reason": "again", "csrf_token": token})
        assert i18n.gettext("kk", "The review was not reopened: it is not submitted (any more).") in again.text
    assert any(r["action"] == "review_reopened" for r in db.audit_page(offset=0, limit=500)[0])


def test_eligibility_and_award_place_decisions_on_the_entry_page(settings, world):
    from review_service.contest import scoring

    db, e = world["db"], world["E"]
    url = f"/org/entries/{e}/decisions"
    with TestClient(create_app(settings, search_engine=J.FakeSearch())) as client:
        client_sign_in(client, "organizer")
        page = client.get(f"/org/entries/{e}?lang=en")
        assert page.text.count(f'action="{url}"') == 2
        token = _form_token(client, f"/org/entries/{e}")
        client.get("/org?lang=ru")
        no_reason = client.post(url, data={"kind": "eligibility", "value": "not_eligible", "csrf_token": token})
        assert i18n.gettext("ru", "The decision was not recorded: check the value (a not-eligible decision needs "
                                  "a reason).") in no_reason.text
        assert "eligibility" not in scoring.current_decisions(db).get(e, {})
        for data in ({"kind": "eligibility", "value": "not_eligible", "reason": "off topic"},
                     {"kind": "award", "value": "2"}):
            r = client.post(url, data={**data, "csrf_token": token}, follow_redirects=False)
            assert r.status_code == 303 and "notice=decided" in r.headers["location"]
        decided = scoring.current_decisions(db)[e]
        assert decided["eligibility"].value == "not_eligible" and decided["eligibility"].reason == "off topic"
        assert decided["award"].value == "2"
        shown = client.get(f"/org/entries/{e}?lang=ru").text
        assert i18n.gettext("ru", "place %(n)s") % {"n": "2"} in shown and "off topic" in shown
        bad = client.post(url, data={"kind": "award", "value": "11", "csrf_token": token}, follow_redirects=False)
        assert "error=decision" in bad.headers["location"]
        assert client.post(url, data={"kind": "award", "value": "1"}).status_code == 403  # no CSRF token
        client.cookies.clear()
        client_sign_in(client, "ja")
        assert client.post(url, data={"kind": "award", "value": "1",
                                      "csrf_token": _form_token(client, "/my")}).status_code == 403
    assert scoring.current_decisions(db)[e]["award"].value == "2"
