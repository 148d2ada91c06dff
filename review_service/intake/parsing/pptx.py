"""PPTX → one block per slide (``Anchor("slide", n)``, kind ``slide``) and one per speaker notes
(``Anchor("slide", n, part="notes")``, kind ``notes``), with python-pptx.

A slide's text is every shape's text in reading order (top to bottom, then left to right): text frames,
tables (cells joined with " | "), grouped shapes (recursively). Slides with no text give no block but are
counted in ``slides``. The caller has already run the zip-bomb guard on the file.
"""
from __future__ import annotations

import logging
import zipfile
from pathlib import Path

from review_service.core.domain import Anchor, Block, ParsedDocument, Reason
from review_service.core.errors import IntakeError
from review_service.core.normalize import normalize_text

logger = logging.getLogger(__name__)


def _position(shape) -> tuple[int, int]:
    return (shape.top or 0, shape.left or 0)


def _shape_texts(shapes) -> list[str]:
    from pptx.enum.shapes import MSO_SHAPE_TYPE

    texts: list[str] = []
    for shape in sorted(shapes, key=_position):
        if shape.shape_type == MSO_SHAPE_TYPE.GROUP:
            texts.extend(_shape_texts(shape.shapes))
        elif getattr(shape, "has_table", False) and shape.has_table:
            rows = []
            for row in shape.table.rows:
                cells = [" ".join(cell.text.split()) for cell in row.cells]
                if any(cells):
                    rows.append(" | ".join(cells))
            texts.append("\n".join(rows))
        elif getattr(shape, "has_text_frame", False) and shape.has_text_frame:
            texts.append(shape.text_frame.text)
        elif getattr(shape, "has_chart", False) and shape.has_chart:
            chart = shape.chart
            if chart.has_title and chart.chart_title.has_text_frame:
                texts.append(chart.chart_title.text_frame.text)
    return [t for t in texts if t.strip()]


def _meta(prs) -> dict[str, str]:
    meta: dict[str, str] = {}
    props = prs.core_properties
    for name in ("title", "author", "subject"):
        value = getattr(props, name, None)
        if value and str(value).strip():
            meta[name] = normalize_text(str(value))
    return meta


def parse_pptx(path: Path, *, warnings: tuple[Reason, ...] = ()) -> ParsedDocument:
    from pptx import Presentation
    from pptx.exc import PackageNotFoundError

    try:
        prs = Presentation(str(path))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise IntakeError("corrupt", f"the PPTX presentation cannot be opened ({type(exc).__name__}: {exc})",
                          hint="the file is damaged; open it in PowerPoint, save it again and resubmit") from exc
    except Exception as exc:  # lxml raises XMLSyntaxError for broken XML parts
        raise IntakeError("corrupt", f"the PPTX presentation's content is damaged ({type(exc).__name__}: {exc})",
                          hint="open it in PowerPoint, save it again and resubmit") from exc

    blocks: list[Block] = []
    hidden: list[int] = []
    try:
        slides = list(prs.slides)
        for n, slide in enumerate(slides, start=1):
            if slide._element.get("show") == "0":
                hidden.append(n)
            text = normalize_text("\n".join(_shape_texts(slide.shapes)))
            if text:
                blocks.append(Block(text, Anchor("slide", n), "slide"))
            if slide.has_notes_slide:
                frame = slide.notes_slide.notes_text_frame
                notes = normalize_text(frame.text) if frame is not None else ""
                if notes:
                    blocks.append(Block(notes, Anchor("slide", n, part="notes"), "notes"))
    except Exception as exc:
        raise IntakeError("corrupt", f"the PPTX presentation's slides are damaged ({type(exc).__name__}: {exc})",
                          hint="open it in PowerPoint, save it again and resubmit") from exc
    if not blocks:
        raise IntakeError("no_text", f"the presentation has {len(slides)} slide(s) but no text "
                          "(the slides may be pictures only)",
                          hint="ask the applicant for a version with text, or its speaker notes / a script")
    found = list(warnings)
    if hidden:
        found.append(Reason("hidden_slides", f"slides {', '.join(map(str, hidden))} are hidden in the presentation; "
                                             "their text is included"))
    return ParsedDocument(format="pptx", blocks=tuple(blocks), slides=len(slides), warnings=tuple(found),
                          meta=_meta(prs))
