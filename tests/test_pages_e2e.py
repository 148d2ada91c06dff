"""The three flows of issue 14 in headless Chromium, on sample entries, with a worker running batches in a thread:

1. an organizer signs in, uploads a sample batch (files, forms CSV, jurors), watches it finish, confirms a
   duplicate and publishes the assignment;
2. a juror signs in with the Kazakh interface, opens a PDF entry, follows a note's citation to the right page,
   scores with the rubric and submits;
3. an organizer opens the results and downloads the XLSX.

Every page visited passes axe-core (no serious or critical violation), every juror page is checked for the
applicants' personal fields, and each step saves a screenshot (var/test-artifacts/screenshots/flow*-*.png)."""
from __future__ import annotations

import csv
import io
import threading
from pathlib import Path

import pytest

from review_service.batches.job_runner import run_worker
from review_service.contest import accounts as people
from review_service.contest.permissions import entry_code
from review_service.core import i18n
from review_service.core.config import Settings
from review_service.server import create_app
from review_service.stages.matching.profiles import read_jurors
from review_service.storage import open_database
from tests import jury as J
from tests.pages import browser_sign_in, serious_violations, shot
from tests.web import running

pytestmark = pytest.mark.slow
SAMPLE = Path(__file__).resolve().parents[1] / "sample_data"
FILES = ["ЖИ байқауы_Смирнова.docx", "ЖИ байқауы_Морозова.pdf", "ЖИ байқауы_Ержанов.md", "ЖИ байқауы_Ахметова.pdf",
         "ЖИ байқауы_Иванова.pdf", "ЖИ байқауы_Ковальчук.pdf", "ЖИ байқауы_Tokhtarova.pptx"]


def personal_fields() -> list[str]:
    out = []
    with open(SAMPLE / "forms.csv", encoding="utf-8-sig", newline="") as f:
        for row in csv.DictReader(f):
            out += [row["surname"], f"{row['name']} {row['surname']}", row["library"], row["file_name"],
                    *[c.strip() for c in row["contact"].split(",")]]
    return sorted({p for p in out if len(p) >= 4})


def accessible(page, where: str, problems: list[str]) -> None:
    problems += [f"{where}: {v}" for v in serious_violations(page)]


def test_three_flows_in_a_real_browser(tmp_path, browser):
    settings = Settings(environment="test", data_dir=tmp_path / "var", embedder="all-minilm-l6-v2", ocr="off",
                        scoring_deadline=J.FUTURE, jurors_per_entry=2)
    db = open_database(settings)
    organizer = J.add(db, "serik", "organizer")
    J.rubric(db, organizer)
    jurors = [line.split('"id": "')[1].split('"')[0] for line in (SAMPLE / "jurors.jsonl").read_text().splitlines()]
    people.register_jury(db, read_jurors(SAMPLE / "jurors.jsonl"), "test")
    for juror in jurors:
        people.add_user(db, login=juror, role="juror", password=f"pw-{juror}-123", actor="test", juror_id=juror)
    stop = threading.Event()
    worker = threading.Thread(target=run_worker, args=(settings,), kwargs={"stop": stop, "poll_s": 0.3},
                              daemon=True)
    worker.start()
    problems: list[str] = []
    personal = personal_fields()
    try:
        with running(create_app(settings)) as base:
            # 1. organizer: upload, watch, confirm a duplicate, publish
            page = browser.new_page(viewport={"width": 1280, "height": 800}, accept_downloads=True)
            browser_sign_in(page, base, "serik", "pw-serik-123", "en")
            assert page.url.endswith("/org")
            page.goto(f"{base}/org/batches")
            accessible(page, "batches", problems)
            page.set_input_files("#files", [str(SAMPLE / "entries" / f) for f in FILES])
            page.set_input_files("#forms", str(SAMPLE / "forms.csv"))
            page.set_input_files("#jurors", str(SAMPLE / "jurors.jsonl"))
            page.uncheck("input[name=run][value=topic]")
            shot(page, "flow1-1-upload")
            page.get_by_role("button", name="Upload and start").click()
            page.wait_for_url("**/org/batches/*")
            page.locator("#job-done").wait_for(state="visible", timeout=400_000)
            assert page.locator("#job-state").inner_text() == "done"
            accessible(page, "batch", problems)
            shot(page, "flow1-2-batch-finished")
            page.goto(f"{base}/org/duplicates")
            accessible(page, "duplicates", problems)
            first = page.locator("section.dup").first
            first.get_by_label("Comment").fill("The same project text, checked by hand")
            pair, queued = first.locator("h2").inner_text(), page.locator("section.dup").count()
            first.get_by_role("button", name="Confirm duplicate").click()
            page.wait_for_load_state()
            assert "The verdict is recorded." in page.inner_text("main")  # the reviewed pair leaves the queue
            assert page.locator("section.dup").count() == queued - 1
            page.get_by_role("link", name="All pairs").click()
            page.wait_for_load_state()
            reviewed = page.locator("section.dup").filter(has_text="The same project text, checked by hand")
            assert reviewed.locator("h2").inner_text() == pair
            shot(page, "flow1-3-duplicate-confirmed")
            page.goto(f"{base}/org/assignment")
            accessible(page, "assignment", problems)
            page.get_by_label("Note for the record").fill("stage 2")
            page.get_by_role("button", name="Publish to the jurors").click()
            page.get_by_text("Published: version").wait_for()  # in place (static/assignment.js), no page load
            shot(page, "flow1-4-assignment-published")
            page.close()

            # 2. a juror, Kazakh interface: entry, citation to the right page, rubric, submit
            entry_id, juror, anchor = _pdf_entry_with_a_page_citation(db)
            page = browser.new_page(viewport={"width": 1280, "height": 800})
            browser_sign_in(page, base, juror, f"pw-{juror}-123", "kk")
            assert page.url.endswith("/my")
            assert page.locator("html").get_attribute("lang") == "kk"
            accessible(page, "my entries (kk)", problems)
            shot(page, "flow2-1-my-entries-kk")
            code = entry_code(entry_id)
            page.get_by_role("link", name=code).click()
            page.wait_for_url(f"**/my/{code}")
            accessible(page, "entry (kk)", problems)
            link = page.locator(f'a.cite[href$="#page={anchor}"]').first
            link.click()
            page.wait_for_function(f"document.getElementById('original-frame').contentWindow.location.hash"
                                   f" === '#page={anchor}'", timeout=15_000)
            shot(page, "flow2-2-citation-followed")
            _fill_rubric(page)
            page.get_by_role("button", name=i18n.gettext("kk", "Submit scores")).click()
            page.wait_for_url("**done=submitted*")
            assert i18n.gettext("kk", "Scores submitted. Thank you!") in page.inner_text("main")
            shot(page, "flow2-3-scores-submitted-kk")
            for path in ("/my", f"/my/{code}"):
                page.goto(base + path)
                text = page.inner_text("body")
                problems += [f"juror sees {p!r} on {path}" for p in personal if p in text]
            page.close()

            # 3. organizer: results and the XLSX
            page = browser.new_page(viewport={"width": 1280, "height": 800}, accept_downloads=True)
            browser_sign_in(page, base, "serik", "pw-serik-123", "ru")
            page.goto(f"{base}/org/results")
            accessible(page, "results (ru)", problems)
            assert "1 / " in page.inner_text("table")
            with page.expect_download() as download:
                page.get_by_role("link", name=i18n.gettext("ru", "Download XLSX")).click()
            saved = tmp_path / "results.xlsx"
            download.value.save_as(saved)
            shot(page, "flow3-1-results-ru")
            page.close()
    finally:
        stop.set()
        worker.join(timeout=30)
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(saved.read_bytes()))
    assert "Summary" in book.sheetnames
    db.close()
    assert problems == []


def _pdf_entry_with_a_page_citation(db) -> tuple[str, str, int]:
    """A published PDF entry whose draft note cites a page, and a juror on it (not in conflict)."""
    from review_service.contest.permissions import juror_scope
    from review_service.stages.notes.sentences import note_sentences

    published = db.latest_assignment("published")["payload"]["entries"]
    notes = {n["doc_id"]: n for n in db.latest_ai_result("notes")["payload"]}
    for entry_id, row in published.items():
        record = db.submission(entry_id)
        if record["format"] != "pdf" or entry_id not in notes:
            continue
        pages = [a for s in note_sentences(notes[entry_id]) for a in s["anchors"] if a.startswith("page ")]
        for juror in (r["juror"] for r in row["jurors"]):
            if pages and entry_id in juror_scope(db, juror).entries:
                return entry_id, juror, int(pages[0].split()[1].split("–")[0])
    raise AssertionError("no published PDF entry with a page citation")


def _fill_rubric(page) -> None:
    page.fill("#score-innovation", "8")
    page.fill("#score-feasibility", "4.5")
    page.fill("#comment-feasibility", "Жоспар нақты, бюджеті көрсетілген.")
