"""Starting a pre-screening batch from a request — files uploaded in it, or a folder on the server — and a job's
status as the API and the batch pages show it. ``POST /batches`` and ``POST /org/batches`` both call
:func:`start_batch` (the same checks, the same queued job); a worker runs the job."""
from __future__ import annotations

import hashlib
import os
import unicodedata
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import IO, Any, Protocol

from review_service.batches import uploads
from review_service.batches.batch import STAGES, ScreenOptions
from review_service.batches.job_runner import stale_note, submit
from review_service.core.config import Settings
from review_service.core.errors import InputError, IntakeError, NotFound
from review_service.intake.receive import read_forms
from review_service.storage import Database

CHUNK = 1 << 20
MAX_NAME_BYTES = 240
"""A file name's longest UTF-8 form (file systems stop at 255 bytes; ``.part-`` goes in front while it streams)."""
BIDI = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


class Upload(Protocol):
    """An uploaded file as the web framework hands it over (``fastapi.UploadFile``): its name and a binary
    stream."""

    @property
    def filename(self) -> str | None: ...

    @property
    def file(self) -> IO[bytes]: ...


def job_status(job: Mapping[str, Any], stale_s: float) -> dict[str, Any]:
    """``GET /batches/{id}``'s answer for a job row (the page shows the same)."""
    timings = dict(job["timings"]) or {k: float(v) for k, v in job["stages_done"].items()}
    stale = stale_note(job, stale_s)
    return {"id": job["id"], "state": job["state"], "stage": job["stage"], "done": job["done"], "total": job["total"],
            "timings_s": timings, "errors": job["errors"], "batch_id": job["batch_id"],
            "message": stale or job["message"], "stale": bool(stale)}


def _unprintable(text: str) -> bool:
    return any(unicodedata.category(ch) == "Cc" or ch in BIDI for ch in text)


def _safe_name(name: str) -> str:
    name = unicodedata.normalize("NFC", Path(name.replace("\\", "/")).name).strip()
    if not name or name.startswith(".") or name in ("..",) or _unprintable(name):
        raise InputError("unusable file name (empty, hidden, or with control or direction characters)",
                         hint="send files with their own names")
    if len(name.encode("utf-8")) > MAX_NAME_BYTES:
        raise InputError(f"a file name is over {MAX_NAME_BYTES} bytes ({name[:40]}…)",
                         hint="shorten the file's name and send it again")
    return name


def _too_large(name: str, limit_bytes: int, *, whole: bool) -> IntakeError:
    if whole:
        exc = IntakeError("too_large", "the request's files are over the limit of one request; not accepted",
                          hint="send fewer files at a time (REVIEW_MAX_UPLOAD_BYTES sets the limit)")
    else:
        exc = IntakeError("too_large", f"{name[:80]}: over {limit_bytes // (1 << 20)} MB; not accepted",
                          hint="REVIEW_MAX_FILE_MB / REVIEW_MAX_MEDIA_MB set the limits")
    exc.http_status = 413
    return exc


def _save(upload: Upload, dest: Path, limit_bytes: int, budget: list[int]) -> str:
    """Stream an upload to ``dest`` in 1 MiB pieces (never whole in memory); its SHA-256. Over the hard limit of a
    file, or over what is left of the request's ``budget`` (``[bytes]``, ``REVIEW_MAX_UPLOAD_BYTES``), the request
    is refused (413) and the partial file removed; the intake rules proper (size limit, content sniffing, zip
    bombs) apply when the worker takes the file in, exactly as for a folder."""
    digest, size = hashlib.sha256(), 0
    tmp = dest.with_name(f".part-{dest.name}")
    try:
        with open(tmp, "wb") as f:
            while piece := upload.file.read(CHUNK):
                size += len(piece)
                if size > limit_bytes or size > budget[0]:
                    raise _too_large(upload.filename or "", limit_bytes, whole=size > budget[0])
                digest.update(piece)
                f.write(piece)
        os.replace(tmp, dest)
    finally:
        tmp.unlink(missing_ok=True)
    budget[0] -= size
    return digest.hexdigest()


def folder_root(settings: Settings) -> Path:
    """The one folder (and its subfolders) that batches may be read from on the server."""
    return (settings.server_folders or settings.data_dir / "incoming").resolve()


class OutsideFolders(InputError):
    """A server folder outside :func:`folder_root` (the API answers it as any bad input: 422)."""


def server_folder(settings: Settings, folder: str) -> Path:
    """``folder`` (absolute, or relative to :func:`folder_root`) if it is a folder under the root;
    :class:`OutsideFolders` (422) when it is not under it (or not a usable path), :class:`NotFound` when there is
    no such folder. The messages name neither the root nor the folder (no server path in an answer): the batch
    page shows both itself."""
    root = folder_root(settings)
    hint = "put the entries under REVIEW_SERVER_FOLDERS (default {data_dir}/incoming)"
    if not folder or len(folder) > 1000 or _unprintable(folder):
        raise OutsideFolders("the folder is not a usable path (empty, too long, or with control characters)", hint=hint)
    path = Path(folder)
    try:
        path = (path if path.is_absolute() else root / path).resolve()
        inside = path == root or root in path.parents
        exists = inside and path.is_dir()
    except (OSError, ValueError):  # a name over the file system's limit, …
        raise OutsideFolders("the folder is not a usable path", hint=hint) from None
    if not inside:
        raise OutsideFolders("the folder is not under the folder batches may be read from", hint=hint)
    if not exists:
        raise NotFound("there is no such folder under the folder batches may be read from", hint=hint)
    return path


def start_batch(settings: Settings, db: Database, *, created_by: str, files: Sequence[Upload] | None = None,
                folder: str | None = None, forms: Upload | None = None, jurors: Upload | None = None,
                use_archive: bool = True, notes_lang: str = "ru", skip: Sequence[str] | None = None
                ) -> dict[str, Any]:
    """Queue a pre-screening batch of ``files`` (copied to a staging folder) or of a server ``folder`` (read in
    place), started by the login ``created_by``: the new job's ``{id, state}``. Bad input is an
    :class:`InputError` (422), an upload over a limit an :class:`IntakeError` (413); a refused or failed request
    leaves nothing on disk."""
    if bool(files) == bool(folder):
        raise InputError("send either files or a folder", hint="multipart: files=@… (repeatable) or folder=…")
    unknown = set(skip or ()) - set(STAGES)
    if unknown or notes_lang not in ("kk", "ru", "en"):
        shown = sorted(str(u)[:40] for u in unknown)[:10]
        raise InputError(f"unknown stage(s) {shown} or note language {notes_lang[:10]!r}",
                         hint=f"stages: {', '.join(STAGES)}; languages: kk, ru, en")
    staging = uploads.new_staging(settings)
    try:
        return _start(settings, db, created_by, staging, files=files, folder=folder, forms=forms, jurors=jurors,
                      use_archive=use_archive, notes_lang=notes_lang, skip=skip)
    except BaseException:
        uploads.discard(settings, staging)  # a refused or failed request leaves nothing on disk
        raise


def _start(settings: Settings, db: Database, created_by: str, staging: Path, *,
           files: Sequence[Upload] | None, folder: str | None, forms: Upload | None, jurors: Upload | None,
           use_archive: bool, notes_lang: str, skip: Sequence[str] | None) -> dict[str, Any]:
    limit = int(max(settings.max_file_mb, settings.max_media_mb) * (1 << 20))
    budget = [settings.max_upload_bytes]
    if files:
        if len(files) > settings.max_upload_files:
            raise InputError(f"{len(files)} files; at most {settings.max_upload_files} a request")
        entries = staging / "entries"
        entries.mkdir(parents=True)
        for upload in files:
            name = _safe_name(upload.filename or "")
            if (entries / name).exists():
                raise InputError(f"two files named {name!r}")
            _save(upload, entries / name, limit, budget)
        source = entries
    else:
        source = server_folder(settings, folder or "")
    extra: dict[str, Any] = {}
    for key, table, name in (("forms", forms, "forms.csv"), ("jurors", jurors, "jurors.jsonl")):
        if table is not None:
            staging.mkdir(parents=True, exist_ok=True)
            _save(table, staging / name, 16 << 20, budget)
            extra[key] = staging / name
    if "forms" in extra:
        read_forms(extra["forms"])  # a bad CSV is the caller's error now (422), not the worker's later
    options = ScreenOptions(stages=tuple(s for s in STAGES if s not in set(skip or ())), notes_lang=notes_lang,
                            generator="none", progress=False, jurors_per_entry=settings.jurors_per_entry,
                            use_archive=use_archive, **extra)
    job = submit(db, source, options, created_by=created_by)
    return {"id": job["id"], "state": job["state"]}
