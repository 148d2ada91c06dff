"""DOCX and PPTX originals rendered to PDF by LibreOffice (review_service/intake/renditions.py) and shown on the entry page:
the batch renders them once (cached by SHA-256, with the page map), a citation opens the cited slide's or section's
page, blind review serves the PDF under the code without the author in its metadata, a juror not on the entry gets
404, a corrupt file or a failed render is recorded and the batch goes on, and an older batch's page renders in the
background. Real files (python-pptx, python-docx), real LibreOffice, the real app (TestClient and Chromium).

Without LibreOffice the tests that need it skip with the reason; with ``CI=true`` they fail instead
(``bash scripts/setup.sh`` installs Debian's libreoffice-writer-nogui and libreoffice-impress-nogui as root)."""
from __future__ import annotations

import copy
import io
import os
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from review_service.contest.permissions import entry_code
from review_service.core.config import Settings
from review_service.core.domain import Anchor, Block
from review_service.intake import renditions
from review_service.intake.renditions import Rendition, page_map
from review_service.server import create_app
from review_service.storage import open_database
from review_service.web.views import citation
from tests import files as F
from tests import jury as J
from tests.pages import client_sign_in, serious_violations, shot

PPTX = "ЖИ байқауы_Тоқтарова.pptx"
DOCX = "ЖИ байқауы_Сейітова.docx"
BROKEN = "ЖИ байқауы_Сынық.pptx"
PDF = "ЖИ байқауы_Бетова.pdf"
PPTX_AUTHOR, DOCX_AUTHOR = "Тоқтарова Айгерім", "Сейітова Динара"
SLIDE3 = "Каталогтағы чат-бот түнде де жауап береді"
PAGE2 = "Екінші беттегі нәтижелер: оқырмандар саны екі есе өсті"
INSTALL_HINT = "install Debian's libreoffice-writer-nogui and libreoffice-impress-nogui (bash scripts/setup.sh does)"


def need_soffice() -> None:
    if renditions.soffice() is not None:
        return
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"rendering tests must run in CI, but soffice was not found: {INSTALL_HINT}", pytrace=False)
    pytest.skip(f"rendering tests skipped: soffice was not found ({INSTALL_HINT})")


def make_pptx(path: Path) -> Path:
    """Four slides, slide 2 hidden (LibreOffice must still export it, so page N stays slide N), the distinctive
    text on slide 3, the applicant named in the core properties only."""
    from pptx import Presentation

    prs = Presentation()
    for n, body in enumerate(["Кіріспе: жоба туралы", "Жасырын слайд", SLIDE3, "Қорытынды"], start=1):
        slide = prs.slides.add_slide(prs.slide_layouts[1])
        slide.shapes.title.text = f"Слайд {n}"
        slide.placeholders[1].text = body
    prs.slides[1]._element.set("show", "0")
    prs.core_properties.author = PPTX_AUTHOR
    prs.core_properties.last_modified_by = PPTX_AUTHOR
    prs.core_properties.title = f"{PPTX_AUTHOR}: жоба"
    prs.save(str(path))
    return path


def make_docx(path: Path) -> Path:
    """Section 1 on page 1, a page break, section 2 (the distinctive text) on page 2; the author in the core
    properties only."""
    import docx

    document = docx.Document()
    document.add_heading("Кіріспе", level=1)
    document.add_paragraph("Кітапхана оқырмандарға арналған жасанды интеллект көмекшісін енгізді.")
    document.add_page_break()
    document.add_heading("Нәтижелер", level=1)
    document.add_paragraph(PAGE2)
    document.core_properties.author = DOCX_AUTHOR
    document.core_properties.last_modified_by = DOCX_AUTHOR
    document.core_properties.title = f"{DOCX_AUTHOR}: жоба"
    document.save(str(path))
    return path


def forms_row(name: str, surname: str, first: str) -> str:
    return (f'{name},{surname},{first},30,Атырау облыстық кітапханасы,public_mcib,Атырау облысы,'
            f'"{surname.lower()}@example.org, +7 712 200 11 22",individual,,Жоба,2026-10-05T10:15:00+05:00\n')


# --- pure parts: the page map and the citation links ---------------------------------------------------------


def test_the_page_map_finds_where_each_section_begins_and_maps_slides_to_pages():
    pages = ["Кіріспе\nКітапхана чат-бот енгізді. Бет 1", "Нәтижелер\nОқырмандар саны\nекі есе өсті. Бет 2",
             "Қосымша кесте | мәндер"]
    blocks = [Block("Кіріспе", Anchor("section", 1), "heading"),
              Block("Кітапхана  чат-бот енгізді.", Anchor("section", 1)),
              Block("Нәтижелер", Anchor("section", 2), "heading"),
              Block("Оқырмандар саны екі есе өсті.", Anchor("section", 2)),
              Block("Қосымша кесте | мәндер", Anchor("section", 3, part="table"), "table"),
              Block("Мұнда жоқ мәтін", Anchor("section", 4))]
    assert page_map("docx", pages, blocks) == {"section 1": 1, "section 2": 2, "section 3": 3}
    assert page_map("pptx", ["a", "b", "c"], [], slides=3) == {"slide 1": 1, "slide 2": 2, "slide 3": 3}
    slides = [Block("Slide one text", Anchor("slide", 1), "slide"), Block("notes", Anchor("slide", 1, part="notes"),
                                                                           "notes"),
              Block("Slide three text", Anchor("slide", 3), "slide")]
    assert page_map("pptx", ["Slide one text", "Slide three text"], slides, slides=3) == {"slide 1": 1, "slide 3": 2}


def test_a_citation_opens_the_rendered_page_or_falls_back_to_the_text():
    rendered = Rendition("s" * 64, "docx", "ok", pages=3, page_map={"section 2": 2, "slide 3": 3})
    assert citation("section 2 (table)", "/files/K", "docx", False, rendered)["href"] == \
        "/files/K/pdf?page=2#page=2&navpanes=0"
    assert citation("section 2", "/files/K", "docx", False, rendered)["frame"] is True
    assert citation("section 5", "/files/K", "docx", False, rendered)["href"] == "#at-section-5"  # not found
    assert citation("slide 3", "/files/K", "pptx", True, rendered)["href"] == "/files/K/pdf?page=3#page=3&navpanes=0"
    failed = Rendition("s" * 64, "pptx", "failed", code="timeout")
    assert citation("slide 3", "/files/K", "pptx", True, failed)["href"] == "#at-slide-3"
    assert citation("slide 3", "/files/K", "pptx", True)["href"] == "#at-slide-3"


# --- a rendered batch, shared by the tests below (one LibreOffice run per format) ----------------------------


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """tests/jury.py's world plus a PPTX and a DOCX entry (their core properties name the applicants), a four-page
    PDF and a corrupt PPTX, screened (rendered) once; the three published for juror ja with notes citing slide 3,
    section 2 and page 3 — and the same sentence again (other case and spacing) citing slide 4, section 1, page 2."""
    from review_service.batches.batch import ScreenOptions
    from review_service.batches.pipeline import run_screen

    need_soffice()
    tmp = tmp_path_factory.mktemp("renditions")
    settings = Settings(environment="test", data_dir=tmp / "var", scoring_deadline=J.FUTURE)
    db = open_database(settings)
    world = J.build_world(db, settings, tmp)
    folder = tmp / "office"
    folder.mkdir()
    make_pptx(folder / PPTX)
    make_docx(folder / DOCX)
    F.make_pdf(folder / PDF, [f"Бет {n}: кітапхана жобасының мәтіні." for n in range(1, 5)])
    good = make_pptx(tmp / "whole.pptx").read_bytes()
    (folder / BROKEN).write_bytes(good[: len(good) // 2])  # its ZIP directory is gone
    forms = folder / "forms.csv"
    forms.write_text(J.FORMS_HEADER + forms_row(PPTX, "Тоқтарова", "Айгерім") + forms_row(DOCX, "Сейітова", "Динара"),
                     encoding="utf-8")
    result = run_screen(folder, settings, ScreenOptions(stages=(), progress=False, forms=forms))
    ids = {r["file_name"]: r["entry_id"] for r in db.submissions()}
    notes = db.latest_ai_result("notes")["payload"]
    for name, anchor, again in ((PPTX, "slide 3", "slide 4"), (DOCX, "section 2", "section 1"),
                                (PDF, "page 3", "page 2")):
        notes.append({"doc_id": ids[name], "lang": "kk", "disclaimer": "AI draft", "summary_mode": "extractive",
                      "provenance": {"model": "test"},
                      "summary": [{"text": "Чат-бот оқырмандарға жауап береді.", "anchors": [anchor],
                                   "origin": "extractive"}],
                      "aims": [{"id": "ai_for_library_services", "quotes": [  # the same sentence again: shown once
                          {"text": "чат-бот  оқырмандарға жауап береді", "anchors": [again],
                           "origin": "extractive"}]}]})
    db.save_ai_result("notes", notes, {"model": "test", "input_hash": "h3"})
    payload = copy.deepcopy(db.latest_assignment("published")["payload"])
    for name in (PPTX, DOCX, PDF):
        payload["entries"][ids[name]] = {"jurors": [J._row("ja")]}
    J.publish(db, world["organizer"], payload)
    yield {**world, "db": db, "settings": settings, "report": result.report, "folder": folder, "forms": forms,
           "PPTX": ids[PPTX], "DOCX": ids[DOCX], "PDF": ids[PDF]}
    db.close()


def _pdf(data: bytes):
    from pypdf import PdfReader

    return PdfReader(io.BytesIO(data))


def test_the_batch_renders_docx_and_pptx_once_and_records_a_corrupt_file(world):
    from review_service.batches.batch import ScreenOptions
    from review_service.batches.pipeline import run_screen

    settings = world["settings"]
    files = {r["file_name"]: r for r in world["report"]["files"]}
    assert files[PPTX]["rendition"] == {"status": "ok", "pages": 4}  # the hidden slide 2 is exported too
    assert files[DOCX]["rendition"] == {"status": "ok", "pages": 2}
    assert files[BROKEN]["status"] == "failed" and files[BROKEN]["reasons"][0]["code"] == "corrupt"
    assert "rendition" not in files[BROKEN] and (settings.data_dir / files[BROKEN]["stored_as"]).is_file()
    assert "render" in world["report"]["timings_s"]
    pptx, docx = (renditions.load(files[n]["sha256"], settings) for n in (PPTX, DOCX))
    assert pptx.page_for("slide", 3) == 3 and docx.page_for("section", 2) == 2 and docx.page_for("section", 1) == 1
    assert pptx.renderer.startswith("LibreOffice") and pptx.seconds > 0
    pages = _pdf(renditions.pdf_path(files[PPTX]["sha256"], settings).read_bytes()).pages
    assert len(pages) == 4 and SLIDE3 in " ".join(pages[2].extract_text().split())
    pages = _pdf(renditions.pdf_path(files[DOCX]["sha256"], settings).read_bytes()).pages
    assert len(pages) == 2 and PAGE2 in " ".join(pages[1].extract_text().split())
    records = {p: p.stat().st_mtime_ns for p in settings.renditions_dir.rglob("*.json")}
    again = run_screen(world["folder"], settings, ScreenOptions(stages=(), progress=False, forms=world["forms"]),
                       db=world["db"])  # a resumed / repeated batch: nothing rendered again
    assert {p: p.stat().st_mtime_ns for p in settings.renditions_dir.rglob("*.json")} == records
    assert {r["file_name"]: r.get("rendition") for r in again.report["files"]}[PPTX]["pages"] == 4


def test_a_juror_sees_the_rendered_original_under_the_code_without_the_author(world):
    settings = world["settings"]
    pptx, docx = entry_code(world["PPTX"]), entry_code(world["DOCX"])
    with TestClient(create_app(settings, search_engine=J.FakeSearch())) as client:
        assert client.get(f"/files/{pptx}/pdf", follow_redirects=False).headers["location"].startswith("/login")
        client_sign_in(client, "ja")
        for code, page, author in ((pptx, 3, PPTX_AUTHOR), (docx, 2, DOCX_AUTHOR)):
            html = client.get(f"/my/{code}?lang=en").text
            assert f'src="/files/{code}/pdf#navpanes=0"' in html
            assert f'href="/files/{code}/pdf?page={page}#page={page}&amp;navpanes=0" target="original"' in html
            for secret in (author, author.split()[0], PPTX, DOCX, "@example.org"):
                assert secret not in html
            served = client.get(f"/files/{code}/pdf")
            assert served.status_code == 200 and served.headers["content-type"] == "application/pdf"
            assert served.headers["content-disposition"] == f'inline; filename="{code}.pdf"'
            assert served.headers["x-content-type-options"] == "nosniff"  # issue 20: renditions are sandboxed too
            assert served.headers["content-security-policy"].startswith("sandbox;")
            reader = _pdf(served.content)
            assert not reader.metadata and "/Metadata" not in reader.trailer["/Root"]
            for secret in (author, author.split()[0]):
                assert secret.encode() not in served.content and secret.encode("utf-16-be") not in served.content
            assert client.get(f"/files/{code}").status_code == 404  # the DOCX/PPTX itself names the author
        assert len(_pdf(client.get(f"/files/{pptx}/pdf").content).pages) == 4
        client.cookies.clear()
        client_sign_in(client, "ju")  # not on these entries: their existence is private
        for code in (pptx, docx):
            assert client.get(f"/files/{code}/pdf").status_code == 404
            assert client.get(f"/my/{code}").status_code == 404
        client.cookies.clear()
        client_sign_in(client, "organizer")  # staff: the received name, the original file too
        staff = client.get(f"/files/{world['DOCX']}/pdf")
        assert staff.status_code == 200 and "filename*=UTF-8''" in staff.headers["content-disposition"]
        assert client.get(f"/files/{world['DOCX']}").status_code == 200
        assert f'src="/files/{world["DOCX"]}/pdf#navpanes=0"' in client.get(f"/org/entries/{world['DOCX']}").text


@pytest.mark.slow
def test_in_chromium_a_slide_and_a_page_citation_open_their_page_in_the_viewer(world, browser):
    """What it reads: the page number Chromium's own PDF viewer shows in its toolbar (tests/pages.viewer_page),
    before and after each click — not only the frame's address, which changed before the fix while the viewer
    stayed on page 1."""
    from tests.pages import viewer_page
    from tests.web import running

    settings = world["settings"]
    code, pdf = entry_code(world["PPTX"]), entry_code(world["PDF"])
    with running(create_app(settings, search_engine=J.FakeSearch())) as base:
        context = browser.new_context(viewport={"width": 1280, "height": 800})
        page = context.new_page()
        page.goto(f"{base}/login?lang=kk")
        page.fill("#username", "ja")
        page.fill("#password", "pw-ja-123")
        page.press("#password", "Enter")
        page.wait_for_load_state()
        page.goto(f"{base}/my/{code}?lang=kk")
        frame = page.locator("#original-frame")
        assert frame.get_attribute("src") == f"/files/{code}/pdf#navpanes=0"
        text = page.inner_text("body")
        assert [s for s in (PPTX_AUTHOR, "Тоқтарова", PPTX) if s in text] == []
        assert text.count("Чат-бот оқырмандарға жауап береді.") == 1  # a repeated sentence is stated once
        assert viewer_page(page, 1) == 1
        with page.expect_response(lambda r: f"/files/{code}/pdf?page=3" in r.url) as served:
            page.locator(f'a.cite[href="/files/{code}/pdf?page=3#page=3&navpanes=0"]').click()
        assert served.value.status == 200  # (Chromium's PDF viewer takes the stream: its headers are not exposed)
        assert viewer_page(page, 3) == 3  # slide 3 of 4, the hidden slide 2 exported too
        assert page.locator("#original-frame").get_attribute("data-opened") == "1"  # the frame was loaded afresh
        fetched = page.request.get(f"{base}/files/{code}/pdf")  # the same request with the page's cookies
        assert fetched.ok and fetched.headers["content-type"] == "application/pdf"
        page.locator(f'a.cite[href="/files/{code}/pdf?page=4#page=4&navpanes=0"]').click()
        assert viewer_page(page, 4) == 4
        page.locator(f'a.cite[href="/files/{code}/pdf?page=3#page=3&navpanes=0"]').click()  # the same citation again
        assert viewer_page(page, 3) == 3 and page.locator("#original-frame").get_attribute("data-opened") == "3"
        assert page.frame(name="original").url.endswith(f"/files/{code}/pdf?page=3#page=3&navpanes=0")
        assert serious_violations(page) == []
        page.wait_for_timeout(500)  # the viewer draws the page
        shot(page, "page-ja-rendered-pptx-slide-3")
        page.goto(f"{base}/my/{pdf}?lang=kk")  # a PDF entry: a page citation
        assert viewer_page(page, 1) == 1
        page.locator(f'a.cite[href="/files/{pdf}?page=3#page=3&navpanes=0"]').click()
        assert viewer_page(page, 3) == 3
        context.close()
        # without script (the viewer cannot be read then: evaluating in its frame needs script) the link itself
        # loads the frame afresh — another address than the frame's — which is what makes a viewer open at #page=
        bare = browser.new_context(java_script_enabled=False)
        page = bare.new_page()
        page.goto(f"{base}/login?lang=kk")
        page.fill("#username", "ja")
        page.fill("#password", "pw-ja-123")
        page.press("#password", "Enter")
        page.wait_for_load_state()
        page.goto(f"{base}/my/{pdf}?lang=kk")
        with page.expect_response(lambda r: r.url.endswith(f"/files/{pdf}?page=3")) as served:
            page.locator(f'a.cite[href="/files/{pdf}?page=3#page=3&navpanes=0"]').click()
        assert served.value.status == 200
        page.frame(name="original").wait_for_url(f"**/files/{pdf}?page=3#page=3&navpanes=0", timeout=15_000)
        bare.close()


def test_an_older_batch_is_rendered_in_the_background_when_its_page_is_opened(world):
    settings = world["settings"]
    sha = world["db"].submission(world["DOCX"])["sha256"]
    for path in renditions.pdf_path(sha, settings).parent.glob(f"{sha}.*"):
        path.unlink()  # as if taken in before renditions existed
    code = entry_code(world["DOCX"])
    with TestClient(create_app(settings, search_engine=J.FakeSearch())) as client:
        client_sign_in(client, "ja")
        first = client.get(f"/my/{code}?lang=en")  # answered at once, the rendering queued
        assert first.status_code == 200 and "being converted to PDF" in first.text
        assert f"/files/{code}/pdf" not in first.text
        assert 'href="#at-section-2"' in first.text  # meanwhile the citation goes to the text
        assert client.get(f"/files/{code}/pdf").status_code == 404
        client.app.state.renderer.wait(timeout=120)
        html = client.get(f"/my/{code}?lang=en").text
        assert f'href="/files/{code}/pdf?page=2#page=2&amp;navpanes=0"' in html and "being converted" not in html
        assert client.get(f"/files/{code}/pdf").status_code == 200


def test_a_render_that_fails_is_recorded_and_the_entry_stays_readable(settings, tmp_path):
    """LibreOffice stopped by the timeout: the rendition is recorded as failed with its reason, the record's status
    and the original are untouched, the batch finishes."""
    from review_service.batches.batch import ScreenOptions
    from review_service.batches.pipeline import run_screen

    need_soffice()
    folder = tmp_path / "in"
    folder.mkdir()
    make_pptx(folder / PPTX)
    F.make_text(folder / "ЖИ байқауы_Мәтін.txt", "Кітапхана чат-боты оқырмандарға жауап береді.")
    slow = settings.model_copy(update={"render_originals": "auto", "render_timeout_s": 0.01,
                                       "data_dir": tmp_path / "slow"})
    result = run_screen(folder, slow, ScreenOptions(stages=(), progress=False))
    record = {r["file_name"]: r for r in result.report["files"]}[PPTX]
    assert record["rendition"]["status"] == "failed" and record["rendition"]["code"] == "timeout"
    assert "REVIEW_RENDER_TIMEOUT_S" in record["rendition"]["message"]
    assert record["format"] == "pptx" and "render" not in {r["code"] for r in record["reasons"]}
    assert (slow.data_dir / record["stored_as"]).is_file() and len(result.report["files"]) == 2
    failed = renditions.load(record["sha256"], slow)
    assert failed is not None and not failed.ok and not renditions.pdf_path(record["sha256"], slow).exists()
