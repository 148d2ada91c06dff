"""Pages: sign-in and sign-out, CSRF on every page form, blind review on every juror page and original, citation
links, and every page in a real browser (headless Chromium) with axe-core in kk, ru and en. The three long flows
(upload a batch, score, download) are in test_pages_e2e.py (slow)."""
from __future__ import annotations

import copy
import re

import pytest
from fastapi.testclient import TestClient

from review_service import i18n
from review_service.api import create_app
from review_service.permissions import entry_code
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
    from review_service.batch import ScreenOptions
    from review_service.jobs import submit
    from review_service.pipeline import run_screen

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
    assert len(posts) == 11
    with TestClient(app) as client:
        for path in posts:
            client.cookies.clear()
            login = "ja" if path.startswith("/my") else "organizer"
            client_sign_in(client, login)
            url = (path.replace("{key}", entry_code(world["E"])).replace("{sentence}", "0")
                   .replace("{entry_id}", world["E"]).replace("{check}", "file_name"))
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
        assert f'href="/files/{code}#page=2" target="original"' in texts[f"/my/{code}"]
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
    ("page 3", "pdf", "/files/K#page=3"), ("slide 2 (notes)", "pptx", "#at-slide-2"),
    ("section 4", "docx", "#at-section-4"), ("01:20–01:35", "audio", "/files/K#t=80"),
    ("00:01:23", "video", "/files/K#t=83"), ("page 2", "docx", "#at-page-2")])
def test_citations_jump_to_the_page_slide_place_or_moment(label, fmt, href):
    link = citation(label, "/files/K", fmt, True)
    assert link["href"] == href
    assert ("seek" in link) == (fmt in ("audio", "video"))
    assert anchor_target("01:02:03")["seconds"] == 3723


def _page_paths(world) -> dict[str, list[str]]:
    code = entry_code(world["PDF"])
    return {"organizer": ["/org", "/org/batches", f"/org/batches/{world['job']}", "/org/entries",
                          f"/org/entries/{world['E']}", "/org/duplicates", "/org/assignment", "/org/results",
                          "/org/decisions", "/org/audit", "/org/search?q=chat", "/org/users", "/org/rubric",
                          "/org/themes", "/my"],  # the last: the 403 page
            "ja": ["/my", f"/my/{code}", f"/my/{entry_code(world['E'])}"]}


def test_every_page_in_a_real_browser_is_accessible_in_every_language(settings, world, browser):
    """Every page (organizer and juror, and the error page) at 1280 px in kk, ru, en, and the juror's pages and
    the results at 390 px: no serious or critical axe violation; a juror's rendered text holds no personal field;
    one screenshot per page and language (var/test-artifacts/screenshots/page-*.png)."""
    app = create_app(settings, search_engine=J.FakeSearch())
    covered = {p.split("?")[0] for paths in _page_paths(world).values() for p in paths}
    gets = {path for method, path in page_routes(app) if method == "GET"}
    assert len(covered) >= len(gets) - 6  # / and /login redirect or are tested in test_i18n; files and map: not pages
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
                    if login == "ja":
                        text = page.inner_text("body")
                        problems += [f"ja {path}: {p!r}" for p in personal() if p in text]
                    name = re.sub(r"[^a-z0-9]+", "-", path.split("?")[0].strip("/").lower() or "home")[:40]
                    shot(page, f"page-{login}-{name}-{lang}")
            page.set_viewport_size({"width": 390, "height": 844})
            for path in paths[:3] if login == "ja" else ["/org/results", "/org/assignment"]:
                page.goto(f"{base}{path}?lang=kk")
                problems += [f"{login} {path} 390px: {v}" for v in serious_violations(page)]
                width = page.evaluate("document.documentElement.scrollWidth")
                if width > 400:
                    problems.append(f"{login} {path}: {width}px wide on a 390-px phone")
                shot(page, f"page-{login}-{path.strip('/').replace('/', '-')[:30]}-390")
            context.close()
    assert problems == []
