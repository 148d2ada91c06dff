"""PDF → one block per page (``Anchor("page", n)``), with OCR for scanned pages.

A page "has no text layer" when pypdf extracts fewer than ``MIN_LETTERS`` letters from it while it holds an
image. When at least half of the pages are like that the PDF is a scan: it is OCR'd with Tesseract, or refused
as ``needs_ocr`` when OCR is off or not installed. A few such pages in an otherwise digital PDF are OCR'd
when possible and otherwise listed in a warning.
"""
from __future__ import annotations

import logging
from pathlib import Path

from review_service.config import Settings
from review_service.domain import Anchor, Block, ParsedDocument, Reason
from review_service.errors import IntakeError
from review_service.normalize import normalize_text

from . import ocr

logger = logging.getLogger(__name__)

MIN_LETTERS = 20
_PLACEHOLDERS = {"", "untitled", "anonymous", "unknown", "unspecified", "(anonymous)"}
_DAMAGED = "the file is probably truncated or damaged; ask the applicant to export the PDF again"


def _letters(text: str) -> int:
    return sum(c.isalpha() for c in text)


def _pages_label(numbers: list[int]) -> str:
    """'page 3' or 'pages 1, 2, 5' (at most 12 listed)."""
    shown = ", ".join(str(n) for n in numbers[:12])
    more = f" and {len(numbers) - 12} more" if len(numbers) > 12 else ""
    return f"page{'s' if len(numbers) > 1 else ''} {shown}{more}"


def _open(path: Path):  # -> PdfReader
    from pypdf import PdfReader
    from pypdf.errors import DependencyError, FileNotDecryptedError, PdfReadError

    try:
        reader = PdfReader(path, strict=False)
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, IndexError, OSError) as exc:
        raise IntakeError("corrupt", f"the PDF cannot be opened ({exc})", hint=_DAMAGED) from exc
    if reader.is_encrypted:
        try:
            opened = reader.decrypt("")  # many PDFs only restrict printing and open without a password
        except (DependencyError, NotImplementedError, FileNotDecryptedError, PdfReadError) as exc:
            raise IntakeError("encrypted", f"the PDF is encrypted and cannot be read here ({exc})",
                              hint="ask the applicant for a copy without a password") from exc
        if not opened:
            raise IntakeError("encrypted", "the PDF is protected with a password, so its text cannot be read",
                              hint="ask the applicant for a copy without a password (print to PDF or "
                                   "remove the protection) and resubmit")
    return reader


def _meta(reader) -> dict[str, str]:
    meta: dict[str, str] = {}
    try:
        info = reader.metadata or {}
        for key, name in (("/Title", "title"), ("/Author", "author")):
            value = info.get(key)
            if value and str(value).strip().lower() not in _PLACEHOLDERS:
                meta[name] = normalize_text(str(value))
    except Exception as exc:  # noqa: BLE001  # broken Info dictionaries are common and harmless
        logger.debug("PDF metadata unreadable: %s", exc)
    return meta


def parse_pdf(path: Path, settings: Settings, *, warnings: tuple[Reason, ...] = ()) -> ParsedDocument:
    reader = _open(path)
    try:
        pages = list(reader.pages)
    except Exception as exc:
        raise IntakeError("corrupt", f"the PDF's page list cannot be read ({exc})", hint=_DAMAGED) from exc
    if not pages:
        raise IntakeError("corrupt", "the PDF has no pages that can be read", hint=_DAMAGED)

    found: list[Reason] = list(warnings)
    texts: dict[int, str] = {}
    confidence: dict[int, float] = {}
    scanned: list[int] = []
    failed: list[int] = []
    for n, page in enumerate(pages, start=1):
        try:
            text = normalize_text(page.extract_text() or "")
        except Exception as exc:  # noqa: BLE001  # one bad page must not lose the others
            logger.info("%s page %d: text extraction failed: %s", path.name, n, exc)
            failed.append(n)
            text = ""
        texts[n] = text
        if _letters(text) < MIN_LETTERS and _has_images(page):
            scanned.append(n)
    if failed and len(failed) == len(pages):
        raise IntakeError("corrupt", "no page of the PDF could be read", hint=_DAMAGED)
    if failed:
        found.append(Reason("unreadable_pages", f"{_pages_label(failed)} could not be read and were skipped"))

    if scanned:
        mostly_scanned = len(scanned) * 2 >= len(pages)
        try:
            languages = ocr.ocr_languages(settings)
        except IntakeError:
            if mostly_scanned:
                raise
            found.append(Reason("needs_ocr", f"{_pages_label(scanned)}: image only, no text layer; "
                                             "not read (OCR unavailable); a person should look at them"))
        else:
            done = []
            for n in scanned:
                text, conf = ocr.ocr_page(pages[n - 1], path, n, languages)
                text = normalize_text(text)
                if _letters(text) > _letters(texts[n]):
                    texts[n], confidence[n] = text, conf
                    done.append(n)
            if done:
                mean = sum(confidence[n] for n in done) / len(done)
                found.append(Reason("ocr", f"{_pages_label(done)}: scanned image, read by OCR "
                                           f"(Tesseract, {languages}; mean confidence {mean:.2f}); check quotations "
                                           "against the original"))
            elif mostly_scanned:
                raise IntakeError("no_text", f"the PDF is scanned ({len(scanned)} of {len(pages)} pages are images) "
                                  "and OCR found no text in it; it needs OCR by hand or a better scan",
                                  hint="ask the applicant for a PDF with a text layer or a clearer scan")

    blocks = tuple(Block(texts[n], Anchor("page", n), "page", confidence.get(n, 1.0))
                   for n in sorted(texts) if texts[n])
    if not blocks:
        raise IntakeError("no_text", f"the PDF has {len(pages)} page(s) but no text in them",
                          hint="ask the applicant for the document with its text (not blank pages)")
    return ParsedDocument(format="pdf", blocks=blocks, pages=len(pages), warnings=tuple(found), meta=_meta(reader))


def _has_images(page) -> bool:
    try:
        return len(page.images) > 0
    except Exception as exc:  # noqa: BLE001
        logger.debug("image listing failed: %s", exc)
        return True  # cannot tell: let OCR try
