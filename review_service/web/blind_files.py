"""What a juror in blind review is served of an original: the blind copy (:mod:`review_service.intake.redaction`)
of a PDF original (``which="original"``) or of a DOCX/PPTX's PDF rendition (``which="rendition"``), redacted with
the entry's :func:`review_service.contest.permissions.matcher` — the one the note and the text are scrubbed with.
Made at the first page view or request that needs it, then kept."""
from __future__ import annotations

from pathlib import Path

from review_service.contest import permissions
from review_service.core.config import Settings
from review_service.intake import redaction, renditions
from review_service.intake.redaction import RedactionFailed, Report
from review_service.storage import Database


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
    """The blind copy and its report; :class:`RedactionFailed` when there is no source or no clean copy."""
    src = source(settings, record, which)
    if src is None:
        raise RedactionFailed("there is no PDF to copy")
    matcher = permissions.matcher(record)
    kind = "" if which == "original" else "-rendition"
    target = redaction.copy_path(record.get("sha256") or "", matcher, settings, kind)
    return redaction.blind_copy(src, target, matcher, _image_text(db, settings, record, which))
