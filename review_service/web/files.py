"""Originals, served to permitted people only: ``GET /files/{entry}`` (an entry id, or a juror's neutral code).

A juror in blind review gets the file under its neutral code (``E-7F3A9C.pdf``: the received name carries the
applicant's surname), PDFs with their document information (author, title …) removed, and only formats a
browser shows inline (PDF, audio, video); DOCX, PPTX and text files are shown to them as extracted text on the
entry page instead, because their embedded properties name the author. The content itself may still name the
author; blind review cannot remove that (docs/pages.md).
"""
from __future__ import annotations

import io
import mimetypes
from pathlib import Path
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, Response

from review_service import permissions
from review_service.errors import ReviewError

from .session import PageError, page_user

router = APIRouter(include_in_schema=False)
INLINE = {"pdf": "application/pdf"}
MEDIA = ("audio", "video")


def servable(record: dict, blind: bool) -> bool:
    return not blind or record.get("format") in (*INLINE, *MEDIA)


def media_type(record: dict) -> str:
    fmt = record.get("format") or ""
    if fmt in INLINE:
        return INLINE[fmt]
    guessed = mimetypes.guess_type(record.get("file_name") or "")[0]
    return guessed or "application/octet-stream"


def _without_metadata(path: Path) -> bytes:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(path))
    writer.metadata = None
    if "/Metadata" in writer._root_object:  # XMP
        del writer._root_object["/Metadata"]
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@router.get("/files/{key}")
def original(key: str, request: Request, who: page_user("entries.read")) -> Response:
    db, settings = request.app.state.db, request.app.state.settings
    try:
        entry_id, record = permissions.entry_for(db, who, key)
    except ReviewError as exc:
        raise PageError(404, "not_found") from exc
    blind = permissions.blind_for(who, settings.blind_review)
    path = settings.data_dir / record["stored_as"]
    if not servable(record, blind) or not path.is_file():
        raise PageError(404, "not_found")
    kind = media_type(record)
    if blind:
        code = permissions.entry_code(entry_id)
        suffix = Path(record["file_name"]).suffix.lower() or ".bin"
        name = f"{code}{suffix}"
        headers = {"Content-Disposition": f'inline; filename="{name}"', "Cache-Control": "private, no-store"}
        if record.get("format") == "pdf":
            try:
                return Response(_without_metadata(path), media_type=kind, headers=headers)
            except Exception as exc:  # an unreadable PDF is not shown rather than shown unscrubbed
                raise PageError(404, "not_found") from exc
        return FileResponse(path, media_type=kind, headers=headers)
    name = record["file_name"]
    disposition = f"inline; filename*=UTF-8''{quote(name)}"
    return FileResponse(path, media_type=kind, headers={"Content-Disposition": disposition,
                                                         "Cache-Control": "private, no-store"})
