"""parse_file on real PDF, DOCX, PPTX, TXT, MD and HTML files made in the test."""
from __future__ import annotations

from pathlib import Path

import pytest

from review_service.core.domain import Anchor
from review_service.intake.chunking import chunk_blocks
from review_service.intake.parsing import parse_file
from review_service.intake.parsing.detect import decode_text
from tests.files import EN_TEXT, KK_TEXT, RU_TEXT, make_docx, make_pdf, make_pptx, make_text


def test_pdf_pages_in_kazakh_russian_english(tmp_path: Path, settings) -> None:
    path = make_pdf(tmp_path / "entry.pdf", [KK_TEXT, RU_TEXT, EN_TEXT], title="Ақылды кітапхана", author="Серікова")
    doc = parse_file(path, settings)
    assert doc.format == "pdf" and doc.pages == 3
    assert [b.anchor for b in doc.blocks] == [Anchor("page", 1), Anchor("page", 2), Anchor("page", 3)]
    assert {b.kind for b in doc.blocks} == {"page"}
    assert "жасанды интеллект көмекшісі" in doc.blocks[0].text  # Kazakh letters survive extraction
    assert "искусственного интеллекта" in doc.blocks[1].text
    assert "optical character recognition" in doc.blocks[2].text
    assert doc.meta == {"title": "Ақылды кітапхана", "author": "Серікова"}
    assert doc.warnings == ()
    chunks = chunk_blocks("e1", doc.blocks, max_chars=200)
    assert {c.anchor.kind for c in chunks} == {"page"}


def test_pdf_text_is_normalised(tmp_path: Path, settings) -> None:
    path = make_pdf(tmp_path / "e.pdf", ["Цифр\u00adлау жобасы   кітапхана\u00a0қоры"])
    text = parse_file(path, settings).text
    assert "Цифрлау жобасы кітапхана қоры" in text


def test_docx_headings_paragraphs_table_in_order(tmp_path: Path, settings) -> None:
    path = make_docx(tmp_path / "e.docx",
                     [("Кіріспе", [KK_TEXT]), ("Итоги проекта", [RU_TEXT, "Второй абзац итогов."])],
                     intro="Вводный текст до заголовков.",
                     table=[["Көрсеткіш", "Мәні"], ["Оқырмандар", "1200"]],
                     title="Жоба", author="Ахметова")
    doc = parse_file(path, settings)
    assert doc.format == "docx"
    kinds = [(b.kind, b.anchor.start, b.anchor.part) for b in doc.blocks]
    assert kinds == [("paragraph", 0, ""), ("heading", 1, ""), ("paragraph", 1, ""), ("table", 1, "table"),
                     ("heading", 2, ""), ("paragraph", 2, ""), ("paragraph", 2, "")]
    assert doc.blocks[1].text == "Кіріспе"
    assert doc.blocks[3].text == "Көрсеткіш | Мәні\nОқырмандар | 1200"
    assert doc.meta["title"] == "Жоба" and doc.meta["author"] == "Ахметова"
    assert {b.anchor.kind for b in doc.blocks} == {"section"}


def test_pptx_slides_notes_tables_groups(tmp_path: Path, settings) -> None:
    path = make_pptx(tmp_path / "e.pptx",
                     [("Жоба туралы", KK_TEXT, "Баяндамашы жазбасы: жобаны таныстыру."),
                      ("Результаты", RU_TEXT, ""),
                      ("Next steps", EN_TEXT, "Speaker notes for the last slide.")],
                     table_on=2, table=[["Метрика", "Значение"], ["Читатели", "350"]],
                     group_text="Grouped caption text", title="Deck")
    doc = parse_file(path, settings)
    assert doc.format == "pptx" and doc.slides == 3
    anchors = [(b.kind, b.anchor) for b in doc.blocks]
    assert anchors == [("slide", Anchor("slide", 1)), ("notes", Anchor("slide", 1, part="notes")),
                       ("slide", Anchor("slide", 2)), ("slide", Anchor("slide", 3)),
                       ("notes", Anchor("slide", 3, part="notes"))]
    assert doc.blocks[0].text.startswith("Жоба туралы\n")
    assert "Баяндамашы жазбасы" in doc.blocks[1].text
    assert "Метрика | Значение\nЧитатели | 350" in doc.blocks[2].text
    assert "Grouped caption text" in doc.blocks[3].text
    assert doc.meta["title"] == "Deck"
    assert doc.blocks[1].anchor.label() == "slide 1 (notes)"


def test_txt_cp1251(tmp_path: Path, settings) -> None:
    path = make_text(tmp_path / "e.txt", RU_TEXT + "\n\nВторой абзац: «ёлка».", encoding="cp1251")
    doc = parse_file(path, settings)
    assert doc.format == "txt" and doc.meta["encoding"] == "cp1251"
    assert [b.anchor for b in doc.blocks] == [Anchor("section", 1), Anchor("section", 2)]
    assert doc.blocks[1].text == "Второй абзац: «ёлка»."


def test_txt_kazakh_code_page_kz1048(tmp_path: Path, settings) -> None:
    path = make_text(tmp_path / "e.txt", KK_TEXT, encoding="kz1048")
    doc = parse_file(path, settings)
    assert doc.meta["encoding"] == "kz1048"
    assert doc.text == KK_TEXT


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16-le", "utf-16-be"])
def test_txt_with_bom(tmp_path: Path, settings, encoding: str) -> None:
    path = make_text(tmp_path / "e.txt", KK_TEXT, encoding=encoding, bom=True)
    doc = parse_file(path, settings)
    assert doc.text == KK_TEXT  # no BOM left at the start
    assert doc.text[0] == "К"


def test_utf16_without_bom_and_binary_refused() -> None:
    assert decode_text(RU_TEXT.encode("utf-16-le")) == (RU_TEXT, "utf-16-le")
    assert decode_text(bytes(range(256)) * 4) is None


def test_markdown(tmp_path: Path, settings) -> None:
    md = "# Жоба атауы\n\nМәтін **қалың** және [сілтеме](https://example.kz).\n\n- бірінші\n- екінші\n"
    doc = parse_file(make_text(tmp_path / "e.md", md), settings)
    assert doc.format == "md"
    assert [b.text for b in doc.blocks] == ["Жоба атауы", "Мәтін қалың және сілтеме.", "бірінші\nекінші"]


def test_html_skips_script_and_style(tmp_path: Path, settings) -> None:
    html = ("<!DOCTYPE html><html><head><title>Жоба</title><style>p {color: red}</style></head><body>"
            "<h1>Ақылды  кітапхана</h1><p>Оқырмандарға &laquo;көмек&raquo;<br>екінші жол</p>"
            "<script>var secret = 'do not index';</script><table><tr><td>A</td><td>B</td></tr></table></body></html>")
    doc = parse_file(make_text(tmp_path / "page.html", html), settings)
    assert doc.format == "html" and doc.meta["title"] == "Жоба"
    assert [b.text for b in doc.blocks] == ["Ақылды кітапхана", "Оқырмандарға «көмек»", "екінші жол", "A | B"]
    assert "secret" not in doc.text and "color" not in doc.text


def test_html_detected_by_content_in_txt(tmp_path: Path, settings) -> None:
    doc = parse_file(make_text(tmp_path / "e.txt", "<html><body><p>Мәтін</p></body></html>"), settings)
    assert doc.format == "html" and doc.text == "Мәтін"
    assert doc.warnings == ()  # .txt holding HTML is text either way: no wrong-extension warning


def test_page_numbers_and_running_footers_are_dropped() -> None:
    from review_service.intake.parsing.pdf import strip_running_lines

    pages = {1: "1\nБірінші бет\nҰлттық кітапхана, 2026", 2: "Екінші бет\nҰлттық кітапхана, 2026\n2",
             3: "Стр. 3 из 10\nҮшінші бет\nҰлттық кітапхана, 2026", 4: "Алматы\n2026"}
    assert strip_running_lines(pages) == {1: "Бірінші бет", 2: "Екінші бет", 3: "Үшінші бет", 4: "Алматы\n2026"}


def test_docx_text_inside_content_control_is_read(tmp_path: Path, settings) -> None:
    """Word puts cover pages in content controls (w:sdt); their text must not be lost."""
    import copy

    import docx
    from docx.oxml.ns import qn
    from lxml import etree

    document = docx.Document()
    cover = document.add_paragraph("Мұқаба беті: жоба атауы")
    document.add_heading("Кіріспе", level=1)
    document.add_paragraph(KK_TEXT)
    sdt = etree.SubElement(document.element.body, qn("w:sdt"))
    content = etree.SubElement(sdt, qn("w:sdtContent"))
    content.append(copy.deepcopy(cover._p))
    cover._p.addprevious(sdt)
    cover._p.getparent().remove(cover._p)
    path = tmp_path / "cover.docx"
    document.save(str(path))
    doc = parse_file(path, settings)
    assert doc.blocks[0].text == "Мұқаба беті: жоба атауы" and doc.blocks[0].anchor == Anchor("section", 0)
    assert [b.kind for b in doc.blocks] == ["paragraph", "heading", "paragraph"]
