"""Every bad-input case gives an IntakeError with its documented code and a message a person can act on."""
from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import pytest

from review_service.core.errors import IntakeError
from review_service.intake.parsing import INTAKE_CODES, parse_file
from tests.files import (
    KK_TEXT,
    RU_TEXT,
    make_docx,
    make_encrypted_pdf,
    make_exe,
    make_ole,
    make_pdf,
    make_png,
    make_pptx,
    make_random_bytes,
    make_text,
    make_tone_wav,
    make_zip_bomb_ooxml,
    truncate,
)


def refused(path: Path, settings, code: str, *, declared_name: str | None = None) -> IntakeError:
    with pytest.raises(IntakeError) as info:
        parse_file(path, settings, declared_name=declared_name)
    err = info.value
    assert err.code == code, f"{path.name}: expected {code}, got {err.code}: {err}"
    assert code in INTAKE_CODES
    assert err.message and err.hint, "every refusal says what is wrong and what to do"
    return err


@pytest.fixture
def docx_file(tmp_path: Path) -> Path:
    return make_docx(tmp_path / "ok.docx", [("Кіріспе", [KK_TEXT])], table=[["a", "b"]])


@pytest.fixture
def pptx_file(tmp_path: Path) -> Path:
    return make_pptx(tmp_path / "ok.pptx", [("Слайд", RU_TEXT, "заметки")])


def test_empty_file(tmp_path: Path, settings) -> None:
    path = tmp_path / "ЖИ байқауы_Сериков.pdf"
    path.write_bytes(b"")
    assert "empty" in refused(path, settings, "empty").message


def test_whitespace_only_txt(tmp_path: Path, settings) -> None:
    refused(make_text(tmp_path / "e.txt", "  \n\t\r\n   \n"), settings, "empty")
    refused(make_text(tmp_path / "bom.txt", " \n", bom=True), settings, "empty")


def test_too_large(tmp_path: Path, settings) -> None:
    small = settings.model_copy(update={"max_file_mb": 0.001})  # 1 KB
    path = make_pdf(tmp_path / "big.pdf", [RU_TEXT] * 3)
    err = refused(path, small, "too_large")
    assert "MB" in err.message and "REVIEW_MAX_FILE_MB" in err.hint


def test_encrypted_pdf(tmp_path: Path, settings) -> None:
    err = refused(make_encrypted_pdf(tmp_path / "aes.pdf", [RU_TEXT]), settings, "encrypted")
    assert "password" in err.message
    refused(make_encrypted_pdf(tmp_path / "rc4.pdf", [RU_TEXT], algorithm="RC4-128"), settings, "encrypted")


def test_pdf_with_owner_password_only_is_read(tmp_path: Path, settings) -> None:
    path = make_encrypted_pdf(tmp_path / "restricted.pdf", [RU_TEXT], user_password="")
    assert "искусственного интеллекта" in parse_file(path, settings).text


def test_encrypted_office_file(tmp_path: Path, settings) -> None:
    path = make_ole(tmp_path / "ЖИ байқауы_Ахметова.docx", ["EncryptionInfo", "EncryptedPackage"])
    assert "password" in refused(path, settings, "encrypted").message


def test_truncated_pdf(tmp_path: Path, settings) -> None:
    good = make_pdf(tmp_path / "good.pdf", [RU_TEXT, KK_TEXT])
    refused(truncate(good, tmp_path / "cut.pdf", 0.5), settings, "corrupt")


def test_pdf_header_with_garbage(tmp_path: Path, settings) -> None:
    path = tmp_path / "junk.pdf"
    path.write_bytes(b"%PDF-1.7\n" + bytes(range(256)) * 8)
    refused(path, settings, "corrupt")


def test_truncated_docx(tmp_path: Path, settings, docx_file: Path) -> None:
    err = refused(truncate(docx_file, tmp_path / "cut.docx", 0.6), settings, "corrupt")
    assert "damaged" in err.hint or "truncated" in err.hint


def test_docx_with_broken_xml(tmp_path: Path, settings, docx_file: Path) -> None:
    broken = tmp_path / "broken.docx"
    with zipfile.ZipFile(docx_file) as src, zipfile.ZipFile(broken, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item)
            dst.writestr(item, data[: len(data) // 2] if item.filename == "word/document.xml" else data)
    refused(broken, settings, "corrupt")


def test_zip_bomb_docx_by_ratio(tmp_path: Path, settings, docx_file: Path) -> None:
    bomb = make_zip_bomb_ooxml(docx_file, tmp_path / "bomb.docx", member_mb=20)
    assert bomb.stat().st_size < 1024 * 1024  # small on disk …
    err = refused(bomb, settings, "zip_bomb")
    assert "compressed" in err.message


def test_zip_bomb_pptx_by_total_size(tmp_path: Path, settings, pptx_file: Path) -> None:
    bomb = make_zip_bomb_ooxml(pptx_file, tmp_path / "bomb.pptx", member_mb=3)
    tight = settings.model_copy(update={"max_unpacked_mb": 2.0, "max_compression_ratio": 10_000.0})
    err = refused(bomb, tight, "zip_bomb")
    assert "unpack" in err.message and "MB" in err.message


def test_zip_bomb_checked_before_extraction(tmp_path: Path, settings, docx_file: Path, monkeypatch) -> None:
    import docx

    def must_not_open(*args, **kwargs):
        raise AssertionError("the document was opened before the zip-bomb guard")

    monkeypatch.setattr(docx, "Document", must_not_open)
    refused(make_zip_bomb_ooxml(docx_file, tmp_path / "bomb.docx", member_mb=20), settings, "zip_bomb")


def test_wrong_extension_docx_named_pdf(tmp_path: Path, settings, docx_file: Path) -> None:
    misnamed = tmp_path / "ЖИ байқауы_Нұрланова.pdf"
    shutil.copyfile(docx_file, misnamed)
    doc = parse_file(misnamed, settings)
    assert doc.format == "docx"
    assert [(w.code, w.message) for w in doc.warnings] == [
        ("wrong_extension", "named .pdf but is a DOCX document; read as DOCX")]


def test_wrong_extension_uses_declared_name(tmp_path: Path, settings) -> None:
    stored = make_pdf(tmp_path / "3f2a9c", [RU_TEXT])  # content-addressed copy without extension
    assert parse_file(stored, settings).warnings == ()
    doc = parse_file(stored, settings, declared_name="entry.pptx")
    assert doc.format == "pdf" and doc.warnings[0].code == "wrong_extension"
    assert "named .pptx but is a PDF document" in doc.warnings[0].message


def test_png_is_unsupported(tmp_path: Path, settings) -> None:
    err = refused(make_png(tmp_path / "scan.png"), settings, "unsupported_type")
    assert "PNG image" in err.message and "PDF" in err.hint


def test_exe_and_random_bytes_are_unsupported(tmp_path: Path, settings) -> None:
    refused(make_exe(tmp_path / "setup.exe"), settings, "unsupported_type")
    err = refused(make_random_bytes(tmp_path / "entry.docx"), settings, "unsupported_type")
    assert "DOCX" in err.hint


@pytest.mark.parametrize(("stream", "name", "what"), [
    ("WordDocument", "old.doc", "Word 97"), ("PowerPoint Document", "old.ppt", "PowerPoint 97")])
def test_legacy_office_files(tmp_path: Path, settings, stream: str, name: str, what: str) -> None:
    err = refused(make_ole(tmp_path / name, [stream]), settings, "unsupported_type")
    assert what in err.message and "save it as DOCX, PPTX or PDF" in err.hint


def test_plain_zip_and_xlsx_unsupported(tmp_path: Path, settings) -> None:
    archive = tmp_path / "entries.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("a.txt", "мәтін")
    refused(archive, settings, "unsupported_type")


def test_docx_without_text(tmp_path: Path, settings) -> None:
    import docx

    path = tmp_path / "blank.docx"
    docx.Document().save(str(path))
    assert "no text" in refused(path, settings, "no_text").message


def test_pptx_without_text(tmp_path: Path, settings) -> None:
    from pptx import Presentation

    prs = Presentation()
    prs.slides.add_slide(prs.slide_layouts[6])  # blank layout
    path = tmp_path / "blank.pptx"
    prs.save(str(path))
    err = refused(path, settings, "no_text")
    assert "1 slide" in err.message


def test_blank_pdf_has_no_text(tmp_path: Path, settings) -> None:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    path = tmp_path / "blank.pdf"
    with open(path, "wb") as f:
        writer.write(f)
    refused(path, settings, "no_text")


def test_media_too_long_checked_before_transcribing(tmp_path: Path, settings, monkeypatch) -> None:
    from review_service.intake.parsing import media

    def must_not_transcribe(*args, **kwargs):
        raise AssertionError("transcribed before the duration check")

    monkeypatch.setattr(media, "transcribe", must_not_transcribe)
    short_limit = settings.model_copy(update={"max_media_minutes": 0.05})  # 3 s
    err = refused(make_tone_wav(tmp_path / "talk.wav", seconds=5, silent=True), short_limit, "media_too_long")
    assert "min" in err.message


def test_truncated_media_is_corrupt(tmp_path: Path, settings) -> None:
    wav = make_tone_wav(tmp_path / "t.wav", seconds=1)
    path = tmp_path / "cut.wav"
    path.write_bytes(wav.read_bytes()[:30])
    refused(path, settings, "corrupt")
