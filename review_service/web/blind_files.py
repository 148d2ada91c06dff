"""What a juror in blind review is served of an original: the blind copy (:mod:`review_service.intake.redaction`)
of a PDF original (``which="original"``) or of a DOCX/PPTX's PDF rendition (``which="rendition"``), redacted with
the entry's :func:`review_service.contest.permissions.matcher` — the one the note and the text are scrubbed with.
Made at the first page view or request that needs it, then kept."""
from __future__ import annotations

import hashlib
import logging
import tempfile
from pathlib import Path

from review_service.contest import permissions
from review_service.core.config import Settings
from review_service.core.personal import Matcher
from review_service.intake import ooxml_redaction, redaction, renditions
from review_service.intake.redaction import RedactionFailed, Report
from review_service.storage import Database

logger = logging.getLogger(__name__)


def source(settings: Settings, record: dict, which: str) -> Path | None:
    """The PDF a blind copy is made of: the original, or its rendition (None when there is none)."""
    sha = record.get("sha256") or ""
    if which == "original":
        path = settings.data_dir / record["stored_as"]
        return path if record.get("format") == "pdf" and path.is_file() else None
    found = renditions.load(sha, settings) if renditions.renderable(record.get("format")) and sha else None
    path = renditions.pdf_path(sha, settings)
    return path if found is not None and found.ok and path.is_file() else None


def _image_text(db: Database, settings: Settings, record: dict, which: str) -> dict[int, str]:
    """Pages whose text intake read by OCR (from a picture): a personal value there cannot be blacked out."""
    from review_service.intake.receive import cached_parse

    if which != "original" or not record.get("sha256"):
        return {}
    parsed = cached_parse(record["sha256"], settings, db)
    if parsed is None:
        return {}
    return {int(b.anchor.start): b.text for b in parsed.blocks if b.anchor.kind == "page" and b.confidence < 1}


def blind_pdf(db: Database, settings: Settings, record: dict, which: str) -> tuple[Path, Report]:
    """The blind copy and its report; :class:`RedactionFailed` when there is no source or no clean copy. A
    rendition's copy is rendered from the DOCX/PPTX with the values taken out of its XML (text stays text), when
    LibreOffice can and the pages come out as many as the rendition's (so citations keep their pages); else it is
    the rendition with the spans blacked out."""
    src = source(settings, record, which)
    if src is None:
        raise RedactionFailed("there is no PDF to copy")
    matcher = permissions.matcher(record)
    kind = "" if which == "original" else f"-rendition-{_rendition_tag(settings, record)}"
    target = redaction.copy_path(record.get("sha256") or "", matcher, settings, kind)
    found = redaction.load_report(target)
    if found is not None:
        return target, found
    if which == "rendition":
        with tempfile.TemporaryDirectory(prefix=".blind-", dir=_work_dir(settings)) as work:
            rendered = _rendered_blind(settings, record, matcher, Path(work), src)
            return redaction.blind_copy(rendered or src, target, matcher)
    return redaction.blind_copy(src, target, matcher, _image_text(db, settings, record, which))


def _rendition_tag(settings: Settings, record: dict) -> str:
    """Changes when the rendition is made again (another LibreOffice or RENDITION_VERSION): so is its blind copy."""
    found = renditions.load(record.get("sha256") or "", settings)
    made = f"{found.renderer}\x00{found.version}" if found is not None else ""
    return hashlib.sha256(made.encode()).hexdigest()[:8]


def _work_dir(settings: Settings) -> Path:
    path = redaction.blind_dir(settings)
    path.mkdir(parents=True, exist_ok=True)
    return path


def _rendered_blind(settings: Settings, record: dict, matcher: Matcher, work: Path, rendition: Path) -> Path | None:
    """The DOCX/PPTX redacted (:mod:`review_service.intake.ooxml_redaction`) and rendered, or None (LibreOffice
    missing or failing, or another page count than the rendition's)."""
    from pypdf import PdfReader

    fmt = record.get("format") or ""
    redacted = work / f"blind.{fmt}"
    try:
        ooxml_redaction.redact_package(settings.data_dir / record["stored_as"], redacted, matcher)
        made = renditions.render_to(redacted, fmt, work, settings)
        if made is None or len(PdfReader(made).pages) != len(PdfReader(rendition).pages):
            return None
    except Exception:  # the rendition, blacked out, is served instead
        logger.warning("the blind rendition of %s could not be rendered from its redacted XML", record.get("sha256"),
                       exc_info=True)
        return None
    return made
