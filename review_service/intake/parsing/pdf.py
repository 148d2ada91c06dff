"""PDF → one block per page (``Anchor("page", n)``), with OCR for scanned pages.

A page "has no text layer" when pypdf extracts fewer than ``MIN_LETTERS`` letters from it while it holds an
image, or when its text layer is garbage (fonts without a Unicode map: private-use/control characters). When at least half of the pages are like that the PDF is a scan: it is OCR'd with Tesseract, or refused
as ``needs_ocr`` when OCR is off or not installed. A few such pages in an otherwise digital PDF are OCR'd
when possible and otherwise listed in a warning.
"""
from __future__ import annotations

import logging
import re
import unicodedata
from pathlib import Path

from review_service.core.config import Settings
from review_service.core.domain import Anchor, Block, ParsedDocument, Reason
from review_service.core.errors import IntakeError
from review_service.core.normalize import normalize_text
from review_service.intake.parsing import ocr

logger = logging.getLogger(__name__)

MIN_LETTERS = 20
MAX_OCR_PAGES = 100  # about 2–5 minutes of Tesseract on two cores
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


_PAGE_NUMBER = re.compile(r"^[\W_]*(?:(?:page|стр\.?|страница|бет|p\.)\s*)?\d{1,3}(?:\s*(?:/|of|из|-)\s*\d{1,4})?[\W_]*$",
                          re.IGNORECASE)


def strip_running_lines(texts: dict[int, str]) -> dict[int, str]:
    """Drop page numbers and running headers/footers: a page's first or last line that is a bare page
    number, or that repeats (digits ignored) at the top/bottom of at least 3 pages and 60 % of them."""
    def key(line: str) -> str:
        return re.sub(r"\d+", "#", line.strip().lower())

    edges: dict[str, int] = {}
    for text in texts.values():
        lines = text.split("\n")
        for k in {key(line) for line in lines[:2] + lines[-2:]} if text else ():
            edges[k] = edges.get(k, 0) + 1
    repeated = {k for k, n in edges.items() if any(c.isalpha() for c in k) and n >= 3 and n >= 0.6 * len(texts)}

    def running(line: str) -> bool:
        return bool(_PAGE_NUMBER.match(line.strip())) or key(line) in repeated

    cleaned = {}
    for n, text in texts.items():
        lines = text.split("\n")
        for _ in range(2):  # a header and a page number can be stacked
            if len(lines) > 1 and running(lines[0]):
                lines = lines[1:]
            if len(lines) > 1 and running(lines[-1]):
                lines = lines[:-1]
        cleaned[n] = "\n".join(lines).strip()
    return cleaned


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
        if garbled(text) or (_letters(text) < MIN_LETTERS and _has_images(page)):
            scanned.append(n)
    texts = strip_running_lines(texts)
    if failed and len(failed) == len(pages):
        raise IntakeError("corrupt", "no page of the PDF could be read", hint=_DAMAGED)
    if failed:
        found.append(Reason("unreadable_pages", f"{_pages_label(failed)} could not be read and were skipped"))

    if scanned:
        found.extend(_ocr_pages(path, pages, scanned, texts, confidence, settings))

    blocks = tuple(Block(texts[n], Anchor("page", n), "page", confidence.get(n, 1.0))
                   for n in sorted(texts) if texts[n])
    if not blocks:
        raise IntakeError("no_text", f"the PDF has {len(pages)} page(s) but no text in them",
                          hint="ask the applicant for the document with its text (not blank pages)")
    return ParsedDocument(format="pdf", blocks=blocks, pages=len(pages), warnings=tuple(found), meta=_meta(reader))


def garbled(text: str) -> bool:
    """A text layer that is not text: fonts without a Unicode map give private-use or control characters."""
    chars = [c for c in text if not c.isspace()]
    if len(chars) < MIN_LETTERS:
        return False
    bad = sum(1 for c in chars if "\ue000" <= c <= "\uf8ff" or c == "\ufffd" or unicodedata.category(c) == "Cc")
    return bad / len(chars) > 0.2


def _ocr_pages(path: Path, pages: list, scanned: list[int], texts: dict[int, str], confidence: dict[int, float],
               settings: Settings) -> list[Reason]:
    """OCR the scanned pages in place (``texts``/``confidence``); returns the warnings to add."""
    mostly_scanned = len(scanned) * 2 >= len(pages)
    try:
        languages = ocr.ocr_languages(settings)
    except IntakeError:
        if mostly_scanned:
            raise
        for n in scanned:
            if garbled(texts[n]):
                texts[n] = ""
        return [Reason("needs_ocr", f"{_pages_label(scanned)}: image only or unreadable text layer; not read "
                                    "(OCR unavailable); a person should look at them")]
    warnings = []
    if len(scanned) > MAX_OCR_PAGES:
        warnings.append(Reason("needs_ocr", f"only the first {MAX_OCR_PAGES} of {len(scanned)} scanned pages were "
                                            "read by OCR; a person should look at the rest"))
    done = []
    for n in scanned[:MAX_OCR_PAGES]:
        text, conf = ocr.ocr_page(pages[n - 1], path, n, languages)
        text = normalize_text(text)
        if _letters(text) > _letters(texts[n]) or (garbled(texts[n]) and text):
            texts[n], confidence[n] = text, conf
            done.append(n)
        elif garbled(texts[n]):
            texts[n] = ""
    if done:
        mean = sum(confidence[n] for n in done) / len(done)
        warnings.append(Reason("ocr", f"{_pages_label(done)}: scanned image, read by OCR (Tesseract, {languages}; "
                                      f"mean confidence {mean:.2f}); check quotations against the original"))
    elif mostly_scanned:
        raise IntakeError("no_text", f"the PDF is scanned ({len(scanned)} of {len(pages)} pages are images) "
                          "and OCR found no text in it; it needs OCR by hand or a better scan",
                          hint="ask the applicant for a PDF with a text layer or a clearer scan")
    return warnings


def _has_images(page) -> bool:
    try:
        return len(page.images) > 0
    except Exception as exc:  # noqa: BLE001
        logger.debug("image listing failed: %s", exc)
        return True  # cannot tell: let OCR try
