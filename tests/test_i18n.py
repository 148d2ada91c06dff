"""Interface languages: catalogs complete in kk/ru/en, no interface text written into templates, the language
chosen by ?lang= / cookie / Accept-Language, and the sign-in page in a real browser with axe-core."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from fastapi.testclient import TestClient
from jinja2 import Environment

from review_service.core import i18n
from review_service.server import create_app
from tests.web import running

ROOT = Path(__file__).resolve().parents[1]
LOCALES = ROOT / "review_service" / "locales"
TEMPLATES = ROOT / "review_service" / "templates" / "web"
SCREENSHOTS = ROOT / "var" / "test-artifacts" / "screenshots"


def _catalog(lang: str):
    with (LOCALES / lang / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        return read_po(handle, locale=lang)


def test_every_interface_message_is_translated_in_every_language():
    with (LOCALES / "messages.pot").open("rb") as handle:
        wanted = {m.id for m in read_po(handle) if m.id}
    assert wanted, "no messages extracted"
    for lang in i18n.LANGUAGES:
        catalog = _catalog(lang)
        done = {m.id for m in catalog if m.id and m.string and "fuzzy" not in m.flags}
        assert wanted - done == set(), f"untranslated in {lang}"


def test_the_template_catalog_is_up_to_date(tmp_path):
    """Re-extracting finds no message that the committed .pot lacks (run `bash scripts/i18n.sh extract`)."""
    fresh = tmp_path / "fresh.pot"
    subprocess.run([str(Path(sys.executable).parent / "pybabel"), "extract", "-F", "babel.cfg", "-k", "_",
                    "-k", "gettext", "-k", "ngettext:1,2", "-o", str(fresh), "review_service"],
                   cwd=ROOT, check=True, capture_output=True, timeout=120)
    with fresh.open("rb") as a, (LOCALES / "messages.pot").open("rb") as b:
        assert {m.id for m in read_po(a) if m.id} == {m.id for m in read_po(b) if m.id}


TAG = re.compile(r"<[^>]*>", re.DOTALL)
VISIBLE_ATTRIBUTE = re.compile(r'\b(?:aria-label|alt|title|placeholder)="([^"{]*)"')


def test_templates_hold_no_interface_text_of_their_own():
    """Outside {{ _("…") }} calls, a page template holds markup only: no words in text or labelling attributes."""
    env = Environment(extensions=["jinja2.ext.i18n"])
    offenders = []
    for path in sorted(TEMPLATES.rglob("*.html")):
        source = path.read_text(encoding="utf-8")
        data = "".join(value for _, kind, value in env.lex(source) if kind == "data")
        for attribute in VISIBLE_ATTRIBUTE.findall(data):
            if re.search(r"[^\W\d_]", attribute):
                offenders.append(f"{path.name}: attribute text {attribute!r}")
        text = TAG.sub(" ", data)
        for word in re.findall(r"[^\W\d_]{2,}", text):
            offenders.append(f"{path.name}: {word!r}")
    assert offenders == []


@pytest.mark.parametrize(("asked", "cookie", "header", "expected"), [
    ("ru", "en", "kk", "ru"),                 # ?lang= wins
    (None, "en", "ru-RU,ru;q=0.9", "en"),     # then the remembered choice
    (None, None, "de-DE,ru;q=0.8,en;q=0.9", "en"),  # then the best supported browser language
    (None, None, "de, fr", "kk"),             # then Kazakh
    ("xx", None, "ru", "ru"),                 # an unknown ?lang= is ignored
])
def test_choose_language(asked, cookie, header, expected):
    assert i18n.choose_language(asked, cookie, header) == expected


def test_numbers_and_dates_follow_the_locale():
    from datetime import datetime

    assert i18n.format_number(1234.5, "ru") == "1\xa0234,5"
    assert i18n.format_number(1234.5, "en") == "1,234.5"
    when = datetime(2026, 11, 21, 10, 0)
    assert "қар" in i18n.format_datetime(when, "kk").lower() and "нояб" in i18n.format_datetime(when, "ru")


def test_sign_in_page_follows_the_browser_then_remembers_a_choice(settings):
    with TestClient(create_app(settings)) as client:
        front = client.get("/", follow_redirects=False)
        assert front.status_code == 303 and front.headers["location"] == "/login"
        ru = client.get("/login", headers={"Accept-Language": "ru-RU,ru;q=0.9"})
        assert ru.status_code == 200 and '<html lang="ru">' in ru.text and "Войти" in ru.text
        kk = client.get("/login", params={"lang": "kk"}, headers={"Accept-Language": "ru"})
        assert '<html lang="kk">' in kk.text and "Кіру" in kk.text
        assert "httponly" in kk.headers["set-cookie"].lower()
        again = client.get("/login", headers={"Accept-Language": "ru"})  # the cookie remembers kk
        assert '<html lang="kk">' in again.text
        assert 'name="csrf_token"' in again.text


def test_sign_in_page_in_a_real_browser_is_accessible_in_every_language(settings, browser):
    from axe_playwright_python.sync_playwright import Axe

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with running(create_app(settings)) as base:
        for lang in i18n.LANGUAGES:
            for width, height in ((1280, 800), (390, 844)):
                page = browser.new_page(viewport={"width": width, "height": height})
                page.goto(f"{base}/login?lang={lang}")
                assert page.locator("html").get_attribute("lang") == lang
                page.get_by_label(i18n.gettext(lang, "Login")).fill("organizer")
                page.keyboard.press("Tab")  # keyboard reaches the password field
                assert page.evaluate("document.activeElement.id") == "password"
                results = Axe().run(page)
                serious = [v for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
                assert serious == [], f"{lang} {width}px: {[v['id'] for v in serious]}"
                page.screenshot(path=str(SCREENSHOTS / f"login-{lang}-{width}.png"))
                page.close()


def test_the_screening_report_uses_the_same_catalogs(settings, tmp_path):
    """`screen --lang kk|ru|en`: report.html in that language; screening.json the same in every one."""
    from review_service.batches.batch import ScreenOptions
    from review_service.batches.pipeline import run_screen
    from review_service.batches.report import write_report
    from tests import files as F

    (tmp_path / "in").mkdir()
    F.make_text(tmp_path / "in" / "ЖИ байқауы_Тест.txt", "Кітапхана оқырмандарға арналған чат-бот жасады.")
    result = run_screen(tmp_path / "in", settings, ScreenOptions(stages=(), progress=False))
    outputs = {}
    for lang in i18n.LANGUAGES:
        json_path, html_path = write_report(result.report, tmp_path / lang, lang)
        html = html_path.read_text(encoding="utf-8")
        assert f'<html lang="{lang}">' in html and i18n.gettext(lang, "Screening report") in html
        assert i18n.gettext(lang, "Files and pre-checks") in html and "ЖИ байқауы_Тест.txt" in html  # as written
        outputs[lang] = json_path.read_bytes()
    assert outputs["kk"] == outputs["ru"] == outputs["en"]
    assert "Алдын ала іріктеу есебі" in (tmp_path / "kk" / "report.html").read_text(encoding="utf-8")
