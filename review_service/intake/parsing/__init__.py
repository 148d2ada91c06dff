"""Files → :class:`ParsedDocument`: one module per format, chosen by content, never by the file name.

``parse_file`` is the one entry point. It checks size and emptiness, detects the real format
(:mod:`.detect`), guards DOCX/PPTX against zip bombs from the ZIP directory before anything is unpacked,
and hands the file to the format's parser. Every refusal is an :class:`IntakeError` whose ``code`` is one
of ``INTAKE_CODES``; softer findings (wrong extension, OCR used, Kazakh transcript …) are ``warnings``.

To add a format: detect it in :mod:`.detect` (a ``FORMATS`` entry and a magic/structure test), write
``parsing/<format>.py`` returning a ParsedDocument, and add a branch in ``_PARSERS`` below.
"""
from __future__ import annotations

import logging
import zipfile
from collections.abc import Callable
from pathlib import Path

from review_service.core.config import Settings
from review_service.core.domain import ParsedDocument, Reason
from review_service.core.errors import IntakeError
from review_service.intake.parsing.detect import Detected, check_zip, detect

logger = logging.getLogger(__name__)

PARSER_VERSION = "2"
"""Bumped whenever a parser's output changes, so cached parse results are recomputed."""
INTAKE_CODES = ("empty", "too_large", "encrypted", "corrupt", "zip_bomb", "unsupported_type", "no_text",
                "media_too_long", "needs_ocr")
"""Codes of :class:`IntakeError` raised by :func:`parse_file`."""
WARNING_CODES = ("wrong_extension", "ocr", "needs_ocr", "unreadable_pages", "low_confidence_transcript",
                 "hidden_slides")
"""Codes of the ``Reason`` warnings a ParsedDocument may carry."""


def _pdf(path: Path, settings: Settings, found: Detected) -> ParsedDocument:
    from review_service.intake.parsing.pdf import parse_pdf

    return parse_pdf(path, settings, warnings=found.warnings)


def _docx(path: Path, settings: Settings, found: Detected) -> ParsedDocument:
    from review_service.intake.parsing.docx import parse_docx

    _guard(path, settings, "DOCX document")
    return parse_docx(path, warnings=found.warnings)


def _pptx(path: Path, settings: Settings, found: Detected) -> ParsedDocument:
    from review_service.intake.parsing.pptx import parse_pptx

    _guard(path, settings, "PPTX presentation")
    return parse_pptx(path, warnings=found.warnings)


def _text(path: Path, settings: Settings, found: Detected) -> ParsedDocument:
    from review_service.intake.parsing.text import parse_text

    assert found.text is not None
    return parse_text(found.text, found.format, encoding=found.encoding, warnings=found.warnings)


def _media(path: Path, settings: Settings, found: Detected) -> ParsedDocument:
    from review_service.intake.parsing.media import parse_media

    return parse_media(path, settings, found.format, warnings=found.warnings)


_PARSERS: dict[str, Callable[[Path, Settings, Detected], ParsedDocument]] = {
    "pdf": _pdf, "docx": _docx, "pptx": _pptx, "txt": _text, "md": _text, "html": _text,
    "audio": _media, "video": _media,
}


def _guard(path: Path, settings: Settings, what: str) -> None:
    try:
        with zipfile.ZipFile(path) as zf:
            check_zip(zf, settings, what)
    except zipfile.BadZipFile as exc:
        raise IntakeError("corrupt", f"the {what} is damaged: its ZIP directory cannot be read ({exc})",
                          hint="ask the applicant to save the file again and resubmit") from exc


def parse_file(path: Path, settings: Settings, *, declared_name: str | None = None) -> ParsedDocument:
    """Parse one file by its content. ``declared_name`` is the name it was submitted under (for the
    extension check) when ``path`` is a stored copy. Raises :class:`IntakeError` for files that cannot be
    read; never returns a document without text."""
    path = Path(path)
    try:
        found = detect(path, settings, declared_name)
    except OSError as exc:
        raise IntakeError("corrupt", f"the file cannot be read ({exc.strerror or exc})",
                          hint="check that the file exists and is readable") from exc
    logger.debug("%s detected as %s", declared_name or path.name, found.format)
    return _PARSERS[found.format](path, settings, found)


__all__ = ["INTAKE_CODES", "PARSER_VERSION", "WARNING_CODES", "Detected", "Reason", "detect", "parse_file"]
