"""Scanned (image-only) PDFs: OCR with the real Tesseract, or needs_ocr when OCR cannot run."""
from __future__ import annotations

from pathlib import Path

import pytest

from review_service.core.errors import IntakeError
from review_service.intake.parsing import ocr, parse_file
from tests.files import EN_TEXT, RU_TEXT, make_pdf, make_scanned_pdf

needs_tesseract = pytest.mark.skipif(not {"rus", "eng"} <= ocr.tesseract_languages(),
                                     reason="tesseract-ocr with rus+eng data is not installed")

SCAN_RU = "Библиотека открывает читальный зал для студентов и школьников."


@needs_tesseract
def test_scanned_pdf_is_ocrd(tmp_path: Path, settings) -> None:
    path = make_scanned_pdf(tmp_path / "scan.pdf", [SCAN_RU])
    doc = parse_file(path, settings)
    assert doc.format == "pdf" and doc.pages == 1
    text = doc.text.lower()
    assert sum(w in text for w in ("библиотека", "открывает", "читальный", "студентов", "школьников")) >= 4
    assert all(0 < b.confidence < 1 for b in doc.blocks)
    assert [w.code for w in doc.warnings] == ["ocr"]
    assert "OCR" in doc.warnings[0].message


@needs_tesseract
def test_only_scanned_pages_are_ocrd(tmp_path: Path, settings) -> None:
    """A digital PDF with one scanned page: the scan is OCR'd, text pages keep confidence 1."""
    from pypdf import PdfReader, PdfWriter

    text_pdf = make_pdf(tmp_path / "t.pdf", [RU_TEXT, EN_TEXT])
    scan_pdf = make_scanned_pdf(tmp_path / "s.pdf", ["Reading room opens for students"])
    writer = PdfWriter()
    for src in (text_pdf, scan_pdf):
        for page in PdfReader(src).pages:
            writer.add_page(page)
    path = tmp_path / "mixed.pdf"
    with open(path, "wb") as f:
        writer.write(f)
    doc = parse_file(path, settings)
    assert doc.pages == 3
    assert [b.confidence == 1.0 for b in doc.blocks] == [True, True, False]
    assert "students" in doc.blocks[2].text.lower()


def test_scanned_pdf_needs_ocr_when_ocr_off(tmp_path: Path, settings) -> None:
    path = make_scanned_pdf(tmp_path / "scan.pdf", [SCAN_RU])
    with pytest.raises(IntakeError) as info:
        parse_file(path, settings.model_copy(update={"ocr": "off"}))
    assert info.value.code == "needs_ocr"
    assert "needs OCR" in info.value.message


def test_scanned_pdf_needs_ocr_without_tesseract(tmp_path: Path, settings, monkeypatch) -> None:
    monkeypatch.setattr(ocr, "tesseract_languages", lambda: frozenset())
    path = make_scanned_pdf(tmp_path / "scan.pdf", [SCAN_RU])
    with pytest.raises(IntakeError) as info:
        parse_file(path, settings)
    assert info.value.code == "needs_ocr"
    assert "needs OCR" in info.value.message
    assert "apt-get install tesseract-ocr tesseract-ocr-kaz tesseract-ocr-rus" in info.value.hint


def test_ocr_languages_limited_to_installed(settings, monkeypatch) -> None:
    monkeypatch.setattr(ocr, "tesseract_languages", lambda: frozenset({"eng", "rus", "osd"}))
    assert ocr.ocr_languages(settings.model_copy(update={"ocr_languages": "kaz+rus+eng"})) == "rus+eng"


@needs_tesseract
def test_blank_scan_gives_no_text(tmp_path: Path, settings) -> None:
    path = make_scanned_pdf(tmp_path / "blank.pdf", [""])
    with pytest.raises(IntakeError) as info:
        parse_file(path, settings)
    assert info.value.code == "no_text"
    assert "needs OCR" in info.value.message


def test_garbled_text_layer_is_recognised() -> None:
    from review_service.intake.parsing.pdf import garbled

    assert garbled(" ".join(chr(0xE000 + i) * 5 for i in range(8)))
    assert not garbled(RU_TEXT)
    assert not garbled("\ue012 ok")  # too short to judge
