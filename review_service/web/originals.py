"""Originals, served to permitted people only: ``GET /files/{entry}`` (an entry id, or a juror's neutral code), and
a DOCX/PPTX original's PDF rendition (:mod:`review_service.intake.renditions`): ``GET /files/{entry}/pdf``.

An original is served as what intake detected from its content (the record's ``format``), never as what its
name says: a PDF as ``application/pdf`` and a recording as its container's audio or video type
(:mod:`review_service.intake.recordings`), inline; everything else — DOCX, PPTX, text, HTML, a file intake could not
read — as an ``application/octet-stream`` attachment, which a browser saves and never renders. The security
headers middleware adds ``X-Content-Type-Options: nosniff`` and ``Content-Security-Policy: sandbox`` to every
/files response (:mod:`review_service.server.security_headers`), so even a file that is a page runs no script here.

A juror in blind review gets the file under its neutral code (``E-7F3A9C.pdf``: the received name carries the
applicant's surname), PDFs — and renditions — as their blind copy (:mod:`review_service.web.blind_files`: the
applicant's name in any case form or script, e-mail, phone, library blacked out on the pages, pages that cannot be
cleaned hidden, no document information, XMP, links or outline; checked before it is served), recordings as a copy without their tags (ID3, RIFF INFO, MP4 tags …; made once, kept by SHA-256), and only
formats a browser shows inline (PDF, audio, video); DOCX, PPTX and text files themselves are not served to them
(their embedded properties name the author): they see the rendition, or the extracted text on the entry page. If
the tags cannot be removed or the blind copy fails its check, nothing is served (404), never the original. A
recording's sound or a picture on a page may still name the author; blind review cannot remove that
(docs/pages.md).
"""
from __future__ import annotations

from pathlib import Path
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter
from fastapi.responses import FileResponse, Response

from review_service.contest import permissions
from review_service.contest.accounts import Principal
from review_service.core.config import Settings
from review_service.intake import recordings, renditions
from review_service.server.deps import DbDep, SettingsDep, page_user
from review_service.server.page_errors import PageError
from review_service.web import blind_files
from review_service.web.entry_access import entry_or_404

router = APIRouter(include_in_schema=False)
Reader = Annotated[Principal, page_user("entries.read")]
INLINE = {"pdf": "application/pdf"}
MEDIA = ("audio", "video")


def servable(record: dict, blind: bool) -> bool:
    return not blind or record.get("format") in (*INLINE, *MEDIA)


def media_type(record: dict, path: Path) -> str:
    """What the original is served as: by the detected format (and a recording's container), never its name."""
    fmt = record.get("format") or ""
    if fmt in INLINE:
        return INLINE[fmt]
    return recordings.media_type(fmt, path) if fmt in MEDIA else recordings.OCTET


def _blind_pdf(db, settings: Settings, record: dict, which: str, headers: dict) -> Response:
    try:
        path, _ = blind_files.blind_pdf(db, settings, record, which)
    except blind_files.RedactionFailed as exc:  # not shown rather than shown with personal data
        raise PageError(404, "not_found") from exc
    return FileResponse(path, media_type=INLINE["pdf"], headers=headers)


@router.get("/files/{key}/pdf")
def rendition(key: str, db: DbDep, settings: SettingsDep, who: Reader) -> Response:
    """A DOCX/PPTX original rendered to PDF (made by the batch, or in the background when a page asked): 404 while
    there is none. Blind review: under the code, its blind copy."""
    entry_id, record = entry_or_404(db, who, key)
    found = renditions.load(record.get("sha256") or "", settings) if renditions.renderable(record.get("format")) \
        else None
    path = renditions.pdf_path(record.get("sha256") or "", settings)
    if found is None or not found.ok or not path.is_file():
        raise PageError(404, "not_found")
    if permissions.blind_for(who, settings.blind_review):
        name = f"{permissions.entry_code(entry_id)}.pdf"
        return _blind_pdf(db, settings, record, "rendition", {"Content-Disposition": f'inline; filename="{name}"',
                                                              "Cache-Control": "private, no-store"})
    name = f"{Path(record['file_name']).stem}.pdf"
    return FileResponse(path, media_type=INLINE["pdf"], headers={
        "Content-Disposition": f"inline; filename*=UTF-8''{quote(name)}", "Cache-Control": "private, no-store"})


@router.get("/files/{key}")
def original(key: str, db: DbDep, settings: SettingsDep, who: Reader) -> Response:
    entry_id, record = entry_or_404(db, who, key)
    blind = permissions.blind_for(who, settings.blind_review)
    path = settings.data_dir / record["stored_as"]
    if not servable(record, blind) or not path.is_file():
        raise PageError(404, "not_found")
    kind = media_type(record, path)
    fmt = record.get("format")
    inline = fmt in (*INLINE, *MEDIA)
    if blind:
        code = permissions.entry_code(entry_id)
        name = f"{code}{'.pdf' if fmt == 'pdf' else recordings.suffix(path)}"
        headers = {"Content-Disposition": f'inline; filename="{name}"', "Cache-Control": "private, no-store"}
        if fmt == "pdf":
            return _blind_pdf(db, settings, record, "original", headers)
        return FileResponse(_stripped(path, record, settings), media_type=kind, headers=headers)
    disposition = f"{'inline' if inline else 'attachment'}; filename*=UTF-8''{quote(record['file_name'])}"
    return FileResponse(path, media_type=kind, headers={"Content-Disposition": disposition, "Cache-Control": "private, no-store"})


def _stripped(path: Path, record: dict, settings: Settings) -> Path:
    """A recording for a juror in blind review: the copy without tags, or 404 — never the original."""
    try:
        return recordings.stripped(path, record.get("sha256") or "", settings, permissions.personal_values(record))
    except recordings.StripFailed as exc:
        raise PageError(404, "not_found") from exc
