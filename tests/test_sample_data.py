"""The bundled sample data: reproducible from its generator, complete, and planted problems really planted."""
from __future__ import annotations

import csv
import datetime as dt
import json
import subprocess
import sys
import unicodedata
import zipfile
from pathlib import Path

import docx
import pptx
import pytest
from pypdf import PdfReader

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "sample_data"
ENTRIES = SAMPLE / "entries"
TEXT_FILES = ["forms.csv", "archive.jsonl", "jurors.jsonl", "expected.json", "entry_texts.jsonl"]
BROKEN = {"empty_file", "scanned_pdf", "encrypted_pdf"}


@pytest.fixture(scope="module")
def fresh(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("sample")
    subprocess.run([sys.executable, str(ROOT / "scripts" / "make_sample_data.py"), "--out", str(out)],
                   check=True, capture_output=True)
    return out


@pytest.fixture(scope="module")
def expected() -> dict:
    return json.loads((SAMPLE / "expected.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def forms() -> list[dict[str, str]]:
    with open(SAMPLE / "forms.csv", encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _planted(expected: dict, kind: str) -> dict:
    return next(p for p in expected["planted"] if p["kind"] == kind)


def _text_of(path: Path, fmt: str) -> str:
    if fmt == "pdf":
        return "\n".join(page.extract_text() or "" for page in PdfReader(str(path)).pages)
    if fmt == "docx":
        d = docx.Document(str(path))
        cells = [c.text for t in d.tables for row in t.rows for c in row.cells]
        return "\n".join([p.text for p in d.paragraphs] + cells)
    if fmt == "pptx":
        parts = []
        for slide in pptx.Presentation(str(path)).slides:
            parts += [s.text_frame.text for s in slide.shapes if s.has_text_frame]
            if slide.has_notes_slide:
                parts.append(slide.notes_slide.notes_text_frame.text)
        return "\n".join(parts)
    return path.read_bytes().decode("utf-8-sig")


def test_fresh_run_reproduces_the_committed_text_files(fresh: Path) -> None:
    for name in TEXT_FILES:
        assert (fresh / name).read_bytes() == (SAMPLE / name).read_bytes(), name
    for path in sorted(ENTRIES.glob("*")):
        if path.suffix in (".txt", ".md") or path.stat().st_size == 0:
            assert (fresh / "entries" / path.name).read_bytes() == path.read_bytes(), path.name
    assert sorted(p.name for p in (fresh / "entries").iterdir()) == sorted(p.name for p in ENTRIES.iterdir())


def test_fresh_run_reproduces_document_contents(fresh: Path, expected: dict) -> None:
    skip = {f for p in expected["planted"] if p["kind"] in BROKEN for f in p["files"]}
    for row in expected["entries"]:
        if row["file_name"] in skip or row["format"] not in ("pdf", "docx", "pptx"):
            continue
        name = row["file_name"]
        assert _text_of(fresh / "entries" / name, row["format"]) == _text_of(ENTRIES / name, row["format"]), name


def test_forms_and_files_match_one_to_one(forms: list[dict[str, str]], expected: dict) -> None:
    assert list(forms[0]) == ["file_name", "surname", "name", "age", "library", "library_type", "region",
                              "contact", "participation", "team_members", "project_title", "received_at"]
    names = [r["file_name"] for r in forms]
    assert len(names) == len(set(names))
    assert sorted(names) == sorted(p.name for p in ENTRIES.iterdir())
    assert sorted(names) == sorted(r["file_name"] for r in expected["entries"])
    for name in names:
        assert unicodedata.is_normalized("NFC", name)
    for r in forms:
        assert r["participation"] in ("individual", "team")
        assert (r["participation"] == "team") == bool(r["team_members"])
        assert dt.datetime.fromisoformat(r["received_at"]).utcoffset() == dt.timedelta(hours=5)


def test_counts_and_languages(expected: dict) -> None:
    rows = expected["entries"]
    assert len(rows) >= 32
    archive = [json.loads(x) for x in (SAMPLE / "archive.jsonl").read_text(encoding="utf-8").splitlines()]
    jurors = [json.loads(x) for x in (SAMPLE / "jurors.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len(archive) >= 110 and len(jurors) >= 10
    langs = {(r["lang"], r["script"]) for r in rows}
    assert {("kk", "cyrl"), ("kk", "latn"), ("ru", "cyrl"), ("en", "latn"), ("mixed", "cyrl")} <= langs
    latin_kk = [r for r in rows if (r["lang"], r["script"]) == ("kk", "latn")]
    assert len(latin_kk) == 3
    for r in latin_kk:
        text = _text_of(ENTRIES / r["file_name"], r["format"])
        assert any(ch in text for ch in "áǵńóúı") and not any("а" <= ch <= "я" for ch in text.lower())
    assert {r["format"] for r in rows} >= {"pdf", "docx", "pptx", "txt", "md", "wav"}


def test_entry_lengths_are_realistic(expected: dict) -> None:
    words = [r["words"] for r in expected["entries"] if "words" in r]
    assert len(words) >= 30 and min(words) >= 250 and max(words) <= 900


def test_documents_open_and_contain_text(expected: dict) -> None:
    skip = {f for p in expected["planted"] if p["kind"] in BROKEN for f in p["files"]}
    for row in expected["entries"]:
        if row["file_name"] in skip or row["format"] == "wav":
            continue
        text = _text_of(ENTRIES / row["file_name"], row["format"])
        assert len(text.split()) >= 200, row["file_name"]
        if row["format"] == "pdf":
            assert len(PdfReader(str(ENTRIES / row["file_name"])).pages) >= 2
        if row["format"] == "pptx" and row["key"] != "ru12":
            assert 6 <= row["slides"] <= 12


def test_planted_problems_are_really_there(expected: dict, forms: list[dict[str, str]]) -> None:
    by_name = {r["file_name"]: r for r in forms}
    for p in expected["planted"]:
        for name in p["files"]:
            assert (ENTRIES / name).exists(), (p["kind"], name)
    assert (ENTRIES / _planted(expected, "empty_file")["files"][0]).stat().st_size == 0
    scanned = PdfReader(str(ENTRIES / _planted(expected, "scanned_pdf")["files"][0]))
    assert all(not (page.extract_text() or "").strip() for page in scanned.pages)
    assert all(page.images for page in scanned.pages)
    assert PdfReader(str(ENTRIES / _planted(expected, "encrypted_pdf")["files"][0])).is_encrypted
    wrong = ENTRIES / _planted(expected, "wrong_extension")["files"][0]
    assert wrong.suffix == ".pdf" and zipfile.is_zipfile(wrong)
    assert int(by_name[_planted(expected, "age_over_35")["files"][0]]["age"]) > 35
    late = by_name[_planted(expected, "late_entry")["files"][0]]["received_at"]
    assert dt.datetime.fromisoformat(late) > dt.datetime.fromisoformat(expected["deadline"])
    on_time = [r for r in forms if r["file_name"] not in _planted(expected, "late_entry")["files"]]
    assert all(dt.datetime.fromisoformat(r["received_at"]) <= dt.datetime.fromisoformat(expected["deadline"])
               for r in on_time)
    assert not _planted(expected, "misnamed_file")["files"][0].startswith("ЖИ байқауы_")
    bad_types = {by_name[f]["library_type"] for f in _planted(expected, "library_type_not_allowed")["files"]}
    assert bad_types and not bad_types & set(expected["allowed_library_types"])
    assert _planted(expected, "presentation_too_long")["slides"] >= 30


def test_copies_share_text_and_the_resubmission_matches_the_archive(expected: dict) -> None:
    texts = {r["file_name"]: r["text"] for r in map(json.loads, (SAMPLE / "entry_texts.jsonl").open(encoding="utf-8"))}
    near = _planted(expected, "near_copy")["files"]
    a, b = (set(texts[f].split()) for f in near)
    assert len(a & b) / len(a | b) > 0.7
    overlap = _planted(expected, "partial_overlap")
    section = texts[overlap["files"][1]].split(overlap["section"])[1].split("\n\n")[1]
    assert section in texts[overlap["files"][0]]
    translated = _planted(expected, "translated_section")
    kk_text, ru_text = (texts[f] for f in translated["files"])
    for heading in translated["sections"]:
        assert heading in kk_text
    for heading in translated["source_sections"]:
        assert heading in ru_text and heading not in kk_text
    kk_words, ru_words = set(kk_text.split()), set(ru_text.split())
    assert len(kk_words & ru_words) / len(kk_words | ru_words) < 0.05  # translated, not copied (numbers, loanwords)
    resub = _planted(expected, "resubmission")
    archive = {r["id"]: r for r in map(json.loads, (SAMPLE / "archive.jsonl").open(encoding="utf-8"))}
    old = set(archive[resub["archive_ids"][0]]["text"].split())
    assert len(old & set(texts[resub["files"][0]].split())) / len(old) > 0.9


def test_archive_and_jurors_have_the_documented_shape() -> None:
    archive = [json.loads(x) for x in (SAMPLE / "archive.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len({a["id"] for a in archive}) == len(archive)
    for a in archive:
        assert {"id", "title", "text", "lang", "year", "region", "library", "library_type", "outcome"} <= set(a)
        assert a["lang"] in ("kk", "ru", "en") and a["year"] in (2023, 2024, 2025)
        assert a["outcome"] in ("winner", "finalist", "participant")
        assert 120 <= len(a["text"].split()) <= 400
    assert {a["lang"] for a in archive} == {"kk", "ru", "en"}
    assert len({a["text"] for a in archive}) == len(archive)
    jurors = [json.loads(x) for x in (SAMPLE / "jurors.jsonl").read_text(encoding="utf-8").splitlines()]
    for j in jurors:
        assert {"id", "name", "organization", "region", "languages", "expertise", "works", "max_load"} <= set(j)
        assert all({"id", "title", "text"} <= set(w) for w in j["works"])
    assert any(j.get("conflicts") for j in jurors)
