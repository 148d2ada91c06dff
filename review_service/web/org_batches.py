"""Organizer pages: batches — the list, starting one (upload, or a folder on the server), a batch's live progress,
stopping and resuming it.

Each action goes through the same code and permission as its API route (:func:`review_service.batches.submit
.start_batch`, ``uploads.cancel`` / ``uploads.resume``; ``batches.read`` / ``batches.manage``)."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse

from review_service.batches import submit, uploads
from review_service.batches.batch import STAGES
from review_service.contest import permissions
from review_service.contest.accounts import Principal
from review_service.core import messages
from review_service.core.config import Settings
from review_service.core.errors import NotFound, ReviewError, StateConflict
from review_service.server.deps import CsrfDep, DbDep, RowId, SettingsDep, page_user
from review_service.server.page_errors import PageError
from review_service.storage import Database
from review_service.storage.job_store import JobStore

from .render import marked as _
from .render import page

router = APIRouter(prefix="/org", include_in_schema=False)
Reader = Annotated[Principal, page_user("batches.read")]
Manager = Annotated[Principal, page_user("batches.manage")]
STAGE_NAMES = messages.STAGES
FILE_PROBLEMS = {"empty": _("the file is empty"), "too_large": _("the file is over the size limit"),
                 "encrypted": _("the file is protected with a password"),
                 "corrupt": _("the file is damaged and cannot be read"),
                 "zip_bomb": _("the file unpacks to far more than its size (refused as unsafe)"),
                 "unsupported_type": _("a file type the service does not read"),
                 "no_text": _("no text could be read from the file"),
                 "media_too_long": _("the recording is over the length limit"),
                 "needs_ocr": _("scanned pages without a text layer (text recognition is off)"),
                 "failed": _("the file could not be read")}
"""Why a file could not be read (intake.parsing.INTAKE_CODES), as the batch page says it."""
JOB_STATES = {"queued": _("queued"), "running": _("running"), "done": _("done"), "failed": _("failed"),
              "cancelled": _("cancelled")}


def _batches(request: Request, db: Database, settings: Settings, *, status_code: int = 200, error: str = "",
             **values: str) -> HTMLResponse:
    jobs = JobStore(db).list()[::-1]
    return page(request, "web/org/batches.html", status_code=status_code, jobs=jobs, states=JOB_STATES,
                stages=STAGES, stage_names=STAGE_NAMES, error=error, error_values=values,
                folder_root=str(submit.folder_root(settings)), folder=values.get("folder", ""))


@router.get("/batches", response_class=HTMLResponse)
def batches_page(request: Request, db: DbDep, settings: SettingsDep, who: Reader) -> HTMLResponse:
    return _batches(request, db, settings, error=request.query_params.get("error", ""))


@router.post("/batches")
def start_batch(request: Request, db: DbDep, settings: SettingsDep, who: Manager, _csrf: CsrfDep,
                files: Annotated[list[UploadFile] | None, File()] = None,
                folder: Annotated[str, Form(max_length=1000)] = "",
                forms: Annotated[UploadFile | None, File()] = None,
                jurors: Annotated[UploadFile | None, File()] = None,
                notes_lang: Annotated[str, Form()] = "ru",
                run: Annotated[list[str] | None, Form()] = None):
    """The upload form, or a folder on the server (under ``REVIEW_SERVER_FOLDERS``): the same code and checks as
    ``POST /batches`` (queued; a worker runs it)."""
    files = [f for f in files or [] if f.filename]
    folder = folder.strip()
    forms = forms if forms is not None and forms.filename else None
    jurors = jurors if jurors is not None and jurors.filename else None
    skip = [s for s in STAGES if s not in set(run or ())]
    if bool(files) == bool(folder):
        message = _("Choose the entries' files or give a folder on the server, not both.") if files else \
            _("Choose the entries' files or give a folder on the server.")
        return _batches(request, db, settings, status_code=422, error=message, folder=folder)
    try:
        started = submit.start_batch(settings, db, created_by=who.login, files=files or None, folder=folder or None,
                                     forms=forms, jurors=jurors, use_archive=True, notes_lang=notes_lang, skip=skip)
    except ReviewError as exc:
        root = str(submit.folder_root(settings))
        if folder and isinstance(exc, submit.OutsideFolders):
            message = _("The folder %(folder)s is not under the folder batches may be read from (%(root)s).")
        elif folder and isinstance(exc, NotFound):
            message = _("There is no folder %(folder)s under %(root)s.")
        else:
            message = _("The batch was not started: %(detail)s")
        return _batches(request, db, settings, status_code=422, error=message, folder=folder, root=root,
                        detail=exc.message)
    return RedirectResponse(f"/org/batches/{started['id']}", status_code=303)


@router.get("/batches/{job_id}", response_class=HTMLResponse)
def batch_page(job_id: RowId, request: Request, db: DbDep, settings: SettingsDep, who: Reader) -> HTMLResponse:
    job = JobStore(db).get(job_id)
    if job is None:
        raise PageError(404, "not_found")
    status = submit.job_status(job, settings.job_stale_s)
    return page(request, "web/org/batch.html", job=status, states=JOB_STATES, stage_names=STAGE_NAMES,
                problems=FILE_PROBLEMS, can_manage=permissions.allowed(who, "batches.manage"))


def _job_action(db: Database, settings: Settings, job_id: int, action: str) -> RedirectResponse:
    if JobStore(db).get(job_id) is None:
        raise PageError(404, "not_found")
    try:
        (uploads.cancel if action == "cancel" else uploads.resume)(db, settings, job_id)
    except StateConflict as exc:
        raise PageError(409, exc.code) from None
    return RedirectResponse(f"/org/batches/{job_id}", status_code=303)


@router.post("/batches/{job_id}/cancel")
def cancel_batch(job_id: RowId, db: DbDep, settings: SettingsDep, who: Manager, _csrf: CsrfDep):
    """Stop a batch: the same as ``POST /batches/{id}/cancel`` (a queued one at once, a running one at its next
    file, embedding batch, entry or stage)."""
    return _job_action(db, settings, job_id, "cancel")


@router.post("/batches/{job_id}/resume")
def resume_batch(job_id: RowId, db: DbDep, settings: SettingsDep, who: Manager, _csrf: CsrfDep):
    """Resume a stopped or failed batch: the same as ``POST /batches/{id}/resume`` (back in the queue; finished
    files and stages are kept)."""
    return _job_action(db, settings, job_id, "resume")
