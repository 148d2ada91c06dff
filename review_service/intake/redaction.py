"""Blind copies of PDFs: what a juror in blind review is served of a PDF original or of a DOCX/PPTX's rendition,
with the applicant's personal values (:class:`review_service.core.personal.Matcher`) blacked out.

- Each page's text is read with PDFium, character by character with its box, and searched with the matcher. A page
  with no personal value is copied as it is (text kept). A page with some is drawn (150 dpi) with a black box over
  every such span and replaces the page: no text of the original page stays under the box.
- A page that cannot be cleaned is **hidden** (a blank page of the same size): a personal value that intake read
  by OCR from a picture on it (``image_text``: its boxes are not known), a rotated page, or a value the check below
  still finds on a copied page.
- The copy holds the pages only: no document information, XMP, outline, annotations (links, ``mailto:``),
  attachments, forms or scripts.
- **Checked before it is kept**: its text, read again by pypdf and by PDFium, and its metadata hold no personal
  value; else the pages at fault are hidden and it is checked again, and if it still fails :class:`RedactionFailed`
  is raised and nothing is served (the caller answers 404, never the original).
- Kept under ``{data_dir}/blind/<sha[:2]>/<sha>-<values>.pdf`` (the source's SHA-256 and the matcher's fingerprint)
  with a ``.json`` report (:class:`Report`: how many spans were blacked out on which pages, which pages were
  hidden and why), which the entry page shows the juror.
"""
from __future__ import annotations

import io
import json
import logging
import os
import tempfile
import threading
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path

from review_service.core.config import Settings
from review_service.core.errors import ReviewError
from review_service.core.personal import Matcher, Span

logger = logging.getLogger(__name__)
REDACTION_VERSION = "1"
DPI = 150
PAD = 1.5  # points around a character's box
MARKER = "█████"
"""What replaces a span in a DOCX/PPTX's text before its blind rendition (:mod:`.ooxml_redaction`): counted here as
a blacked-out span of the page it lands on."""


class RedactionFailed(ReviewError):
    code = "blind_copy_failed"
    http_status = 404


@dataclass(frozen=True)
class Report:
    """What a blind copy hides: spans blacked out per page, pages hidden whole (page → reason code)."""

    pages: int
    redacted: Mapping[str, int] = field(default_factory=dict)  # "3" → spans blacked out on page 3
    hidden: Mapping[str, str] = field(default_factory=dict)  # "5" → image_text | rotated | check_failed
    version: str = REDACTION_VERSION

    @property
    def spans(self) -> int:
        return sum(self.redacted.values())


def blind_dir(settings: Settings) -> Path:
    return settings.data_dir / "blind"


def copy_path(sha: str, matcher: Matcher, settings: Settings, kind: str = "") -> Path:
    return blind_dir(settings) / sha[:2] / f"{sha}{kind}-{matcher.fingerprint()}-v{REDACTION_VERSION}.pdf"


def load_report(path: Path) -> Report | None:
    try:
        data = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
        return Report(**data) if path.is_file() else None
    except (OSError, ValueError, TypeError):
        return None


_locks: dict[str, threading.Lock] = {}
_guard = threading.Lock()


def blind_copy(source: Path, target: Path, matcher: Matcher, image_text: Mapping[int, str] | None = None
               ) -> tuple[Path, Report]:
    """The blind copy of the PDF ``source`` at ``target`` (made once, then the kept one) and its report."""
    with _guard:
        lock = _locks.setdefault(str(target), threading.Lock())
    with lock:
        found = load_report(target)
        if found is not None:
            return target, found
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            data, report = redact(source.read_bytes(), matcher, image_text or {})
        except RedactionFailed:
            raise
        except Exception as exc:  # an unreadable PDF is not served rather than served as it is
            logger.warning("could not make a blind copy of %s: %s", source.name, exc)
            raise RedactionFailed(f"the PDF could not be copied without personal data ({type(exc).__name__})") \
                from exc
        fd, tmp = tempfile.mkstemp(prefix=".incoming-", suffix=".pdf", dir=target.parent)
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, target)
        meta = target.with_suffix(".json")
        fd, tmp = tempfile.mkstemp(prefix=".incoming-", dir=target.parent)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(asdict(report), f)
        os.replace(tmp, meta)
    return target, report


# --- finding ---------------------------------------------------------------------------------------------------


def page_chars(page) -> tuple[str, list[tuple[float, float, float, float] | None]]:
    """A PDFium page's text, one string character per PDFium character, and each one's box (None: generated)."""
    from pypdfium2 import raw

    textpage = page.get_textpage()
    try:
        chars, boxes = [], []
        for i in range(textpage.count_chars()):
            code = raw.FPDFText_GetUnicode(textpage.raw, i)
            ch = chr(code) if 0 < code < 0x110000 else " "
            chars.append(ch if ch.isprintable() else "\n" if ch == "\n" else " ")  # one char each: boxes align
            generated = raw.FPDFText_IsGenerated(textpage.raw, i) == 1
            boxes.append(None if generated or ch.isspace() else textpage.get_charbox(i, loose=True))
        return "".join(chars), boxes
    finally:
        textpage.close()


def find(pdf_bytes: bytes, matcher: Matcher) -> dict[int, list[Span]]:
    """Page (1-based) → the personal values PDFium reads on it."""
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(pdf_bytes)
    try:
        out = {}
        for n in range(len(doc)):
            text, _ = page_chars(doc[n])
            spans = matcher.spans(text)
            if spans:
                out[n + 1] = spans
        return out
    finally:
        doc.close()


def pypdf_leaks(pdf_bytes: bytes, matcher: Matcher) -> tuple[dict[int, int], list[str]]:
    """What pypdf still reads: page → spans found in its text, and the metadata values that hold one."""
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(pdf_bytes))
    pages = {}
    for n, page in enumerate(reader.pages, start=1):
        try:
            text = page.extract_text() or ""
        except Exception:  # noqa: BLE001 - a page pypdf cannot read is hidden rather than trusted
            pages[n] = -1
            continue
        if matcher.spans(text):
            pages[n] = len(matcher.spans(text))
    meta = [str(v) for v in (reader.metadata or {}).values() if matcher.spans(str(v))]
    if "/Metadata" in reader.root_object:
        meta.append("XMP")
    return pages, meta


# --- redacting -------------------------------------------------------------------------------------------------


def redact(pdf_bytes: bytes, matcher: Matcher, image_text: Mapping[int, str]) -> tuple[bytes, Report]:
    """The blind copy's bytes and its report (see the module's docstring)."""
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(pdf_bytes)
    redacted: dict[str, int] = {}
    hidden: dict[str, str] = {}
    drawn: dict[int, bytes] = {}
    try:
        count = len(doc)
        for n in range(1, count + 1):
            if image_text.get(n) and matcher.spans(image_text[n]):
                hidden[str(n)] = "image_text"
                continue
            page = doc[n - 1]
            text, boxes = page_chars(page)
            spans = matcher.spans(text)
            if text.count(MARKER):
                redacted[str(n)] = text.count(MARKER)
            if not spans:
                continue
            if page.get_rotation() % 360:
                hidden[str(n)] = "rotated"
                continue
            drawn[n] = _drawn(page, spans, boxes)
            redacted[str(n)] = redacted.get(str(n), 0) + len(spans)
    finally:
        doc.close()
    data = _assemble(pdf_bytes, drawn, hidden)
    for _ in range(2):  # the check: what pypdf and PDFium read of the copy
        leaked, meta = pypdf_leaks(data, matcher)
        leaked.update({n: len(s) for n, s in find(data, matcher).items()})
        if meta:
            raise RedactionFailed("the copy's metadata still holds a personal value")
        if not leaked:
            return data, Report(count, redacted, hidden)
        for n in leaked:
            hidden[str(n)] = "check_failed"
            redacted.pop(str(n), None)
            drawn.pop(n, None)
        data = _assemble(pdf_bytes, drawn, hidden)
    raise RedactionFailed("a personal value is still in the copy after hiding its pages")


def _drawn(page, spans: list[Span], boxes: list) -> bytes:
    """The page drawn at :data:`DPI` with black boxes over ``spans``: a one-page PDF of the same size."""
    from PIL import ImageDraw

    scale = DPI / 72
    left, _, _, top = page.get_cropbox()
    image = page.render(scale=scale, draw_annots=False).to_pil().convert("RGB")
    draw = ImageDraw.Draw(image)
    for span in spans:
        for box in boxes[span.start:span.end]:
            if box is None:
                continue
            x0, y0, x1, y1 = box
            draw.rectangle([(x0 - left - PAD) * scale, (top - y1 - PAD) * scale,
                            (x1 - left + PAD) * scale, (top - y0 + PAD) * scale], fill=(0, 0, 0))
    out = io.BytesIO()
    image.save(out, "PDF", resolution=DPI)
    return out.getvalue()


def _blank(width: float, height: float) -> bytes:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (max(1, int(width)), max(1, int(height))), (235, 235, 235))  # 72 dpi: 1 px a point
    ImageDraw.Draw(image).rectangle([4, 4, image.width - 5, image.height - 5], outline=(160, 160, 160), width=2)
    out = io.BytesIO()
    image.save(out, "PDF", resolution=72)
    return out.getvalue()


_PAGE_KEYS_DROPPED = ("/Annots", "/Metadata", "/PieceInfo", "/Thumb", "/AA", "/B")


def _assemble(pdf_bytes: bytes, drawn: Mapping[int, bytes], hidden: Mapping[str, str]) -> bytes:
    """The pages of ``pdf_bytes``: drawn ones and blank ones in place of those given, the rest as they are, and
    nothing else of the document."""
    from pypdf import PdfReader, PdfWriter

    reader = PdfReader(io.BytesIO(pdf_bytes))
    writer = PdfWriter()
    for n, page in enumerate(reader.pages, start=1):
        if str(n) in hidden:
            box = page.cropbox
            writer.add_page(PdfReader(io.BytesIO(_blank(float(box.width), float(box.height)))).pages[0])
        elif n in drawn:
            writer.add_page(PdfReader(io.BytesIO(drawn[n])).pages[0])
        else:
            added = writer.add_page(page)
            for key in _PAGE_KEYS_DROPPED:
                if key in added:
                    del added[key]
    writer.metadata = None
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
