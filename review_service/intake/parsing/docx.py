"""DOCX → headings, paragraphs and tables in document order (python-docx).

Anchors: ``Anchor("section", n)`` where n counts headings — section 0 is the text before the first heading,
section 1 starts at the first heading, and so on. A heading is a paragraph whose style is a heading or
title style (any language of Word) or which has an outline level. Tables become one block each
(kind ``table``, cells joined with " | ", rows with newlines, ``part="table"``). Text boxes are read too.
The caller has already run the zip-bomb guard on the file.
"""
from __future__ import annotations

import logging
import re
import zipfile
from pathlib import Path

from review_service.core.domain import Anchor, Block, ParsedDocument, Reason
from review_service.core.errors import IntakeError
from review_service.core.normalize import normalize_text

logger = logging.getLogger(__name__)

_HEADING_STYLE = re.compile(r"^(heading|title|subtitle|заголовок|название|подзаголовок|тақырып|атауы)", re.IGNORECASE)
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _is_heading(paragraph) -> bool:
    try:
        style = paragraph.style
        name = (style.name or "") if style is not None else ""
    except (KeyError, AttributeError, ValueError):
        name = ""
    if _HEADING_STYLE.match(name.strip()):
        return True
    ppr = paragraph._p.pPr
    level = ppr.find(f"{_W}outlineLvl") if ppr is not None else None
    return level is not None and level.get(f"{_W}val", "9") not in ("9",)


def _cell_text(cell) -> str:
    parts = [p.text for p in cell.paragraphs if p.text.strip()]
    parts += [_table_text(t) for t in cell.tables]
    return " ".join(" ".join(parts).split())


def _table_text(table) -> str:
    rows = []
    for row in table.rows:
        cells: list[str] = []
        for cell in row.cells:
            text = _cell_text(cell)
            if cells and text == cells[-1]:  # a merged cell repeats itself across the grid
                continue
            cells.append(text)
        if any(cells):
            rows.append(" | ".join(cells))
    return "\n".join(rows)


def _text_boxes(paragraph) -> list[str]:
    boxes = paragraph._p.findall(f".//{_W}txbxContent")
    texts = []
    for box in boxes:
        text = "\n".join("".join(t.text or "" for t in p.iter(f"{_W}t")) for p in box.iter(f"{_W}p"))
        if text.strip():
            texts.append(text)
    return texts


def _body_items(element, parent):
    """Paragraphs and tables in document order, including those inside content controls (``w:sdt``:
    Word's cover pages and form fields), which python-docx's ``iter_inner_content`` skips."""
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    for child in element.iterchildren():
        if child.tag == f"{_W}p":
            yield Paragraph(child, parent)
        elif child.tag == f"{_W}tbl":
            yield Table(child, parent)
        elif child.tag == f"{_W}sdt":
            content = child.find(f"{_W}sdtContent")
            if content is not None:
                yield from _body_items(content, parent)


def _meta(document) -> dict[str, str]:
    meta: dict[str, str] = {}
    props = document.core_properties
    for name in ("title", "author", "subject", "keywords"):
        value = getattr(props, name, None)
        if value and str(value).strip():
            meta[name] = normalize_text(str(value))
    for name in ("created", "modified"):
        value = getattr(props, name, None)
        if value is not None:
            meta[name] = value.isoformat()
    return meta


def parse_docx(path: Path, *, warnings: tuple[Reason, ...] = ()) -> ParsedDocument:
    import docx
    from docx.opc.exceptions import PackageNotFoundError
    from docx.table import Table

    try:
        document = docx.Document(str(path))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError, OSError, SyntaxError) as exc:
        raise IntakeError("corrupt", f"the DOCX document cannot be opened ({type(exc).__name__}: {exc})",
                          hint="the file is damaged; open it in Word, save it again and resubmit") from exc
    except Exception as exc:  # lxml raises XMLSyntaxError for broken XML parts
        raise IntakeError("corrupt", f"the DOCX document's content is damaged ({type(exc).__name__}: {exc})",
                          hint="open it in Word, save it again and resubmit") from exc

    blocks: list[Block] = []
    section = 0
    try:
        for item in _body_items(document.element.body, document._body):
            if isinstance(item, Table):
                text = normalize_text(_table_text(item))
                if text:
                    blocks.append(Block(text, Anchor("section", section, part="table"), "table"))
                continue
            text = normalize_text(item.text)
            if text and _is_heading(item):
                section += 1
                blocks.append(Block(text, Anchor("section", section), "heading"))
            elif text:
                blocks.append(Block(text, Anchor("section", section), "paragraph"))
            for box in _text_boxes(item):
                box_text = normalize_text(box)
                if box_text and box_text != text:
                    blocks.append(Block(box_text, Anchor("section", section), "paragraph"))
    except Exception as exc:
        raise IntakeError("corrupt", f"the DOCX document's body is damaged ({type(exc).__name__}: {exc})",
                          hint="open it in Word, save it again and resubmit") from exc
    if not blocks:
        raise IntakeError("no_text", "the DOCX document has no text (it may hold only pictures)",
                          hint="ask the applicant for the text of the project, or a PDF with a text layer")
    return ParsedDocument(format="docx", blocks=tuple(blocks), warnings=warnings, meta=_meta(document))
