"""Intake and `screen` end to end: real files made here, a real SQLite file, the real CLI."""
from __future__ import annotations

import csv
import json
import shutil
import subprocess
from pathlib import Path

import pytest

from review_service.batches.batch import ScreenOptions
from review_service.batches.pipeline import run_screen
from review_service.batches.report import write_report
from review_service.commands.cli import main
from review_service.intake.receive import list_files, read_forms, take_in
from review_service.storage import open_database
from tests import files as F

RU = ("Проект «Умный помощник читателя»: библиотека внедряет чат-бот на основе искусственного интеллекта, "
      "который отвечает на вопросы читателей, помогает найти книги в электронном каталоге и продлить их.")
KK = ("Жоба: кітапхана оқырмандарына арналған жасанды интеллект негізіндегі чат-бот. Ол оқырмандардың "
      "сұрақтарына жауап береді, электрондық каталогтан кітап табуға көмектеседі.")
EN = ("Our college library uses machine learning to generate subject metadata for new acquisitions and "
      "recommends books to students based on their course reading lists.")


def _forms(path: Path, rows: list[dict]) -> Path:
    cols = ["file_name", "surname", "name", "age", "library", "library_type", "region", "contact",
            "participation", "team_members", "project_title", "received_at"]
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=cols)
        w.writeheader()
        for r in rows:
            w.writerow({c: r.get(c, "") for c in cols})
    return path


@pytest.fixture
def batch(tmp_path: Path) -> tuple[Path, Path]:
    d = tmp_path / "entries"
    d.mkdir()
    F.make_pdf(d / "ЖИ байқауы_Ахметова.pdf", [KK, KK + " " + RU])
    F.make_docx(d / "ЖИ байқауы_Иванова.docx", [("Введение", [RU]), ("Результаты", [RU])])
    F.make_pptx(d / "ЖИ байқауы_Smith.pptx", [(f"Slide {i}", EN, "Speaker notes: " + EN) for i in range(1, 10)])
    F.make_text(d / "ЖИ байқауы_Сейтова.txt", RU + "\n\n" + KK, encoding="cp1251" if False else "utf-8")
    (d / "ЖИ байқауы_Бос.docx").write_bytes(b"")
    F.make_encrypted_pdf(d / "ЖИ байқауы_Құпия.pdf", [RU])
    F.make_docx(d / "wrong.pdf", [("Раздел", [RU])])  # a DOCX named .pdf
    F.make_random_bytes(d / "ЖИ байқауы_Вирус.exe")
    forms = _forms(tmp_path / "forms.csv", [
        {"file_name": "ЖИ байқауы_Ахметова.pdf", "surname": "Ахметова", "age": "28", "library_type": "public_mcib",
         "received_at": "2026-11-10T12:00:00+05:00"},
        {"file_name": "ЖИ байқауы_Иванова.docx", "surname": "Иванова", "age": "41", "library_type": "university",
         "received_at": "2026-11-14T09:00:00+05:00"},
        {"file_name": "ЖИ байқауы_Smith.pptx", "surname": "Smith", "age": "30", "library_type": "school",
         "received_at": "2026-11-16T10:00:00+05:00"},
        {"file_name": "ЖИ байқауы_Жоқ.pdf", "surname": "Жоқ", "age": "25", "library_type": "college",
         "received_at": "2026-11-10T10:00:00+05:00"},
    ])
    return d, forms


def _by_name(report: dict) -> dict[str, dict]:
    return {r["file_name"]: r for r in report["files"]}


def test_intake_records_every_file_with_reasons_and_checks(batch, settings):
    folder, forms = batch
    result = run_screen(folder, settings, ScreenOptions(forms=forms, stages=(), progress=False))
    files = _by_name(result.report)
    assert len(files) == 8  # nothing skipped
    ok = files["ЖИ байқауы_Ахметова.pdf"]
    assert ok["format"] == "pdf" and ok["language"] == "kk" and ok["stats"]["pages"] == 2
    assert {c["name"]: c["outcome"] for c in ok["checks"]} == {
        "age": "pass", "library_type": "pass", "file_name": "pass", "deadline": "pass",
        "presentation_length": "pass", "topic": "warn"}
    assert files["ЖИ байқауы_Иванова.docx"]["language"] == "ru"
    ivanova = {c["name"]: c for c in files["ЖИ байқауы_Иванова.docx"]["checks"]}
    assert ivanova["age"]["outcome"] == "fail" and "41" in ivanova["age"]["evidence"]
    smith = {c["name"]: c["outcome"] for c in files["ЖИ байқауы_Smith.pptx"]["checks"]}
    assert smith["library_type"] == "fail" and smith["deadline"] == "fail" and smith["presentation_length"] == "pass"
    assert files["ЖИ байқауы_Smith.pptx"]["stats"]["slides"] == 9
    codes = {name: [r["code"] for r in rec["reasons"]] for name, rec in files.items()}
    assert codes["ЖИ байқауы_Бос.docx"][0] == "empty"
    assert codes["ЖИ байқауы_Құпия.pdf"][0] == "encrypted"
    assert codes["ЖИ байқауы_Вирус.exe"][0] == "unsupported_type"
    assert "wrong_extension" in codes["wrong.pdf"] and files["wrong.pdf"]["format"] == "docx"
    assert {c["name"]: c["outcome"] for c in files["wrong.pdf"]["checks"]}["file_name"] == "warn"
    for name in ("ЖИ байқауы_Бос.docx", "ЖИ байқауы_Құпия.pdf", "ЖИ байқауы_Вирус.exe"):
        assert files[name]["status"] == "failed"
    # originals are all kept, content-addressed
    for rec in files.values():
        stored = settings.data_dir / rec["stored_as"]
        assert stored.is_file() and stored.name == rec["sha256"]
    assert result.report["summary"]["forms_without_file"] == ["ЖИ байқауы_Жоқ.pdf"]
    assert result.exit_code == 1


def test_same_file_again_changes_nothing_and_killed_batch_resumes(batch, settings):
    folder, forms = batch
    paths = list_files(folder)
    db = open_database(settings)
    take_in(paths[:3], settings, db, forms=read_forms(forms))  # a batch "killed" after three files
    first = {r["entry_id"]: r for r in db.submissions()}
    result = run_screen(folder, settings, ScreenOptions(forms=forms, stages=(), progress=False), db=db)
    assert db.count_submissions() == len(paths) == len(result.report["files"])
    for entry_id, rec in first.items():
        assert {r["entry_id"]: r for r in db.submissions()}[entry_id]["sha256"] == rec["sha256"]
    stored = sorted(p.name for p in (settings.data_dir / "originals").rglob("*") if p.is_file())
    run_screen(folder, settings, ScreenOptions(forms=forms, stages=(), progress=False), db=db)
    assert db.count_submissions() == len(paths)
    assert sorted(p.name for p in (settings.data_dir / "originals").rglob("*") if p.is_file()) == stored
    # a copy under the same name in another folder is the same submission
    other = folder.parent / "again"
    other.mkdir()
    shutil.copy(paths[0], other / paths[0].name)
    run_screen(other, settings, ScreenOptions(stages=(), progress=False), db=db)
    assert db.count_submissions() == len(paths)


def test_screen_cli_writes_json_and_html_and_exit_code(batch, settings, tmp_path, monkeypatch, capsys):
    folder, forms = batch
    monkeypatch.setenv("REVIEW_DATA_DIR", str(settings.data_dir))
    from review_service.core.config import get_settings

    get_settings.cache_clear()
    out = tmp_path / "report"
    try:
        code = main(["screen", str(folder), "--forms", str(forms), "--out", str(out), "--skip", "matching",
                     "--skip", "notes", "--skip", "themes", "--skip", "duplicates"])
    finally:
        get_settings.cache_clear()
    assert code == 1
    assert "[screen] stage topic done in" in capsys.readouterr().err  # no terminal: a line per stage
    report = json.loads((out / "screening.json").read_text(encoding="utf-8"))
    assert report["schema"] == "review-service/screening" and report["schema_version"] == "1.0"
    assert len(report["files"]) == 8
    topic = {r["file_name"]: {c["name"]: c for c in r["checks"]}["topic"] for r in report["files"] if r["format"]}
    assert topic["ЖИ байқауы_Иванова.docx"]["outcome"] == "pass"  # about an AI chatbot in a library
    assert report["provenance"]["topic"]["model"] == "embeddinggemma-300m"
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "AI drafts, people decide" in html and "ЖИ байқауы_Құпия.pdf" in html
    assert "The file is protected with a password" in html  # the reason code, worded


def test_bad_arguments_exit_2(tmp_path, capsys):
    assert main(["screen", str(tmp_path / "missing"), "--out", str(tmp_path / "o")]) == 2
    assert "is not a folder" in capsys.readouterr().err


@pytest.mark.skipif(shutil.which("chromium") is None, reason="chromium is not installed")
def test_report_renders_in_a_real_browser(batch, settings, tmp_path):
    folder, forms = batch
    result = run_screen(folder, settings, ScreenOptions(forms=forms, stages=(), progress=False))
    _, html = write_report(result.report, tmp_path / "out")
    shot = tmp_path / "shot.png"
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             f"--user-data-dir={tmp_path / 'chrome'}"]
    dom = subprocess.run(["chromium", *flags, "--dump-dom", html.as_uri()], capture_output=True, text=True,
                         timeout=120, check=False).stdout
    assert 'id="ai-notice"' in dom and "ЖИ байқауы_Ахметова.pdf" in dom and "could not be read" in dom
    subprocess.run(["chromium", *flags, f"--screenshot={shot}", "--window-size=1280,900", html.as_uri()],
                   capture_output=True, timeout=120, check=False)
    assert shot.is_file() and shot.stat().st_size > 10_000
