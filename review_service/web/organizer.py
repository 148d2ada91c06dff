"""Organizer pages, part one: the dashboard, batches (upload, live progress), the pre-screening report (pre-checks
with uphold / override) and the duplicate queue (side by side, confirm / dismiss). Part two (assignment,
results, decisions, audit, themes, search, users, rubric) is :mod:`review_service.web.org_jury`.

Each action goes through the same module and permission as its API route (``batches.start_batch``,
``flag_review``); the roles come from ``review_service.contest.permissions``."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse

from review_service.api import batch_routes as batch_api
from review_service.batches import uploads
from review_service.batches.batch import STAGES
from review_service.contest import flag_review, permissions, scoring
from review_service.contest.counting import Counting
from review_service.core.errors import NotFound, ReviewError, StateConflict
from review_service.server.deps import RowId
from review_service.storage.job_store import JobStore
from review_service.storage.jury_store import JuryStore

from .render import marked as _
from .render import page
from .session import Csrf, PageError, page_user
from .views import entry_view

router = APIRouter(prefix="/org", include_in_schema=False)
CsrfOk = Annotated[None, Csrf]
STAGE_NAMES = {"intake": _("reading files"), "render": _("rendering originals as PDF"),
               "embed": _("embedding texts"), "topic": _("topic check"), "duplicates": _("duplicates"),
               "themes": _("themes"), "matching": _("juror matching"), "notes": _("draft notes"),
               "report": _("report"), "": _("waiting")}
JOB_STATES = {"queued": _("queued"), "running": _("running"), "done": _("done"), "failed": _("failed"),
              "cancelled": _("cancelled")}


def _names(db) -> dict[str, str]:
    return {r["entry_id"]: r["file_name"] for r in db.submissions()}


@router.get("", response_class=HTMLResponse)
def dashboard(request: Request, who: page_user("batches.read")) -> HTMLResponse:
    db = request.app.state.db
    records = db.submissions()
    jobs = JobStore(db).list()[-5:][::-1]
    verdicts = flag_review.latest_verdicts(db, "duplicate")
    pending = sum(flag_review.duplicate_key(f) not in verdicts for f in flag_review.duplicate_flags(db))
    published = db.latest_assignment("published")
    return page(request, "web/org/dashboard.html", entries=len(records),
                attention=sum(r["status"] != "ok" for r in records), jobs=jobs, states=JOB_STATES,
                pending=pending, published=published)


def _batches(request: Request, *, status_code: int = 200, error: str = "", **values) -> HTMLResponse:
    jobs = JobStore(request.app.state.db).list()[::-1]
    return page(request, "web/org/batches.html", status_code=status_code, jobs=jobs, states=JOB_STATES,
                stages=STAGES, stage_names=STAGE_NAMES, error=error, error_values=values,
                folder_root=str(batch_api.folder_root(request.app.state.settings)),
                folder=values.get("folder", ""))


@router.get("/batches", response_class=HTMLResponse)
def batches_page(request: Request, who: page_user("batches.read")) -> HTMLResponse:
    return _batches(request, error=request.query_params.get("error", ""))


@router.post("/batches")
def start_batch(request: Request, who: page_user("batches.manage"), _csrf: CsrfOk,
                files: Annotated[list[UploadFile] | None, File()] = None,
                folder: Annotated[str, Form(max_length=1000)] = "",
                forms: Annotated[UploadFile | None, File()] = None,
                jurors: Annotated[UploadFile | None, File()] = None,
                notes_lang: Annotated[str, Form()] = "ru",
                run: Annotated[list[str] | None, Form()] = None):
    """The upload form, or a folder on the server (under ``REVIEW_SERVER_FOLDERS``): the same code and checks as
    ``POST /batches`` (queued; a worker runs it)."""
    settings, db = request.app.state.settings, request.app.state.db
    files = [f for f in files or [] if f.filename]
    folder = folder.strip()
    forms = forms if forms is not None and forms.filename else None
    jurors = jurors if jurors is not None and jurors.filename else None
    skip = [s for s in STAGES if s not in set(run or ())]
    if bool(files) == bool(folder):
        message = _("Choose the entries' files or give a folder on the server, not both.") if files else \
            _("Choose the entries' files or give a folder on the server.")
        return _batches(request, status_code=422, error=message, folder=folder)
    try:
        started = batch_api.start_batch(settings, db, who, files=files or None, folder=folder or None, forms=forms,
                                        jurors=jurors, use_archive=False, notes_lang=notes_lang, skip=skip)
    except ReviewError as exc:
        root = str(batch_api.folder_root(settings))
        if folder and isinstance(exc, batch_api.OutsideFolders):
            message = _("The folder %(folder)s is not under the folder batches may be read from (%(root)s).")
        elif folder and isinstance(exc, NotFound):
            message = _("There is no folder %(folder)s under %(root)s.")
        else:
            message = _("The batch was not started: %(detail)s")
        return _batches(request, status_code=422, error=message, folder=folder, root=root, detail=exc.message)
    return RedirectResponse(f"/org/batches/{started['id']}", status_code=303)


@router.get("/batches/{job_id}", response_class=HTMLResponse)
def batch_page(job_id: RowId, request: Request, who: page_user("batches.read")) -> HTMLResponse:
    job = JobStore(request.app.state.db).get(job_id)
    if job is None:
        raise PageError(404, "not_found")
    status = batch_api.job_status(job, request.app.state.settings.job_stale_s)
    return page(request, "web/org/batch.html", job=status, states=JOB_STATES, stage_names=STAGE_NAMES,
                can_manage=permissions.allowed(who, "batches.manage"))


def _job_action(request: Request, job_id: int, action: str) -> RedirectResponse:
    db, settings = request.app.state.db, request.app.state.settings
    if JobStore(db).get(job_id) is None:
        raise PageError(404, "not_found")
    try:
        (uploads.cancel if action == "cancel" else uploads.resume)(db, settings, job_id)
    except StateConflict as exc:
        raise PageError(409, exc.code) from None
    return RedirectResponse(f"/org/batches/{job_id}", status_code=303)


@router.post("/batches/{job_id}/cancel")
def cancel_batch(job_id: RowId, request: Request, who: page_user("batches.manage"), _csrf: CsrfOk):
    """Stop a batch: the same as ``POST /batches/{id}/cancel`` (a queued one at once, a running one at its next
    file, embedding batch, entry or stage)."""
    return _job_action(request, job_id, "cancel")


@router.post("/batches/{job_id}/resume")
def resume_batch(job_id: RowId, request: Request, who: page_user("batches.manage"), _csrf: CsrfOk):
    """Resume a stopped or failed batch: the same as ``POST /batches/{id}/resume`` (back in the queue; finished
    files and stages are kept)."""
    return _job_action(request, job_id, "resume")


@router.get("/entries", response_class=HTMLResponse)
def prescreen(request: Request, who: page_user("flags.review")) -> HTMLResponse:
    """The pre-screening report: every entry, its status, reasons and pre-checks."""
    db = request.app.state.db
    verdicts = flag_review.latest_verdicts(db, "precheck")
    return page(request, "web/org/entries.html", records=db.submissions(), verdicts=verdicts)


def _staff_entry(request: Request, who, entry_id: str) -> tuple[str, dict]:
    try:
        return permissions.entry_for(request.app.state.db, who, entry_id, "flags.review")
    except ReviewError as exc:
        raise PageError(404, "not_found") from exc


def _counted_reviews(db, entry_id: str) -> list[dict]:
    """The entry's reviews, each with ``counted`` (its pair's :class:`~review_service.contest.counting.PairStatus`)."""
    counting = Counting(db)
    return [{**r, "counted": counting.status(r["juror_id"], entry_id)}
            for r in JuryStore(db).reviews(entry_id=entry_id)]


@router.get("/entries/{entry_id}", response_class=HTMLResponse)
def entry_page(entry_id: str, request: Request, who: page_user("flags.review")) -> HTMLResponse:
    db, settings = request.app.state.db, request.app.state.settings
    eid, record = _staff_entry(request, who, entry_id)
    verdicts = flag_review.latest_verdicts(db, "precheck", f"check:{eid}:")
    decided = {k: d for k, d in scoring.current_decisions(db).get(eid, {}).items()}
    view = entry_view(db, settings, who, eid, record, eid, renderer=request.app.state.renderer)
    return page(request, "web/org/entry.html", **view, record=record,
                verdicts=verdicts, error=request.query_params.get("error", ""),
                notice=request.query_params.get("notice", ""), reviews=_counted_reviews(db, eid),
                decided=decided, can_reopen=permissions.allowed(who, "review.reopen"),
                can_decide=permissions.allowed(who, "decisions.write"))


@router.post("/entries/{entry_id}/checks/{check}")
def review_check(entry_id: str, check: str, request: Request, who: page_user("flags.review"), _csrf: CsrfOk,
                 verdict: Annotated[str, Form(pattern="^(uphold|override)$")],
                 comment: Annotated[str, Form(max_length=2000)] = "") -> RedirectResponse:
    eid, record = _staff_entry(request, who, entry_id)
    if not comment.strip():
        return RedirectResponse(f"/org/entries/{eid}?error=comment#checks", status_code=303)
    try:
        flag_review.review_precheck(request.app.state.db, entry_id=eid, record=record, check=check, verdict=verdict,
                                    comment=comment, actor=who)
    except ReviewError as exc:
        raise PageError(404, "not_found") from exc
    return RedirectResponse(f"/org/entries/{eid}#checks", status_code=303)


@router.get("/duplicates", response_class=HTMLResponse)
def duplicates(request: Request, who: page_user("flags.review")) -> HTMLResponse:
    db = request.app.state.db
    verdicts = flag_review.latest_verdicts(db, "duplicate")
    flags = [{**f, "review": verdicts.get(flag_review.duplicate_key(f))} for f in flag_review.duplicate_flags(db)]
    return page(request, "web/org/duplicates.html", flags=flags, names=_names(db),
                error=request.query_params.get("error", ""))


@router.post("/duplicates")
def review_duplicate(request: Request, who: page_user("flags.review"), _csrf: CsrfOk,
                     a: Annotated[str, Form(max_length=200)], b: Annotated[str, Form(max_length=200)],
                     kind: Annotated[str, Form(max_length=40)],
                     verdict: Annotated[str, Form(pattern="^(confirm|dismiss)$")],
                     comment: Annotated[str, Form(max_length=2000)] = "") -> RedirectResponse:
    if not comment.strip():
        return RedirectResponse("/org/duplicates?error=comment", status_code=303)
    try:
        flag_review.review_duplicate(request.app.state.db, a=a, b=b, kind=kind, verdict=verdict, comment=comment,
                                     actor=who)
    except ReviewError as exc:
        raise PageError(404, "not_found") from exc
    return RedirectResponse("/org/duplicates", status_code=303)
