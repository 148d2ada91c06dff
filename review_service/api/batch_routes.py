"""Pre-screening batches as jobs: start one (files uploaded in the request, or a folder on the server), watch its
stage and progress, cancel it, resume it. The API only queues a job (:func:`review_service.batches.submit
.start_batch`, as the batch page does); ``review-service worker`` runs it."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, UploadFile

from review_service.batches import submit, uploads
from review_service.contest.accounts import Principal
from review_service.core.errors import NotFound
from review_service.server.deps import DbDep, RowId, SettingsDep, user
from review_service.storage.job_store import JobStore

from .batch_schemas import BatchStarted, BatchStatus

router = APIRouter(prefix="/batches", tags=["batches"])
OrganizerDep = Annotated[Principal, user("batches.manage")]  # organizers and admins (review_service.contest.permissions)


@router.post("", status_code=202, response_model=BatchStarted)
def start_batch(settings: SettingsDep, db: DbDep, organizer: OrganizerDep,
                files: Annotated[list[UploadFile] | None, File(description="the entries")] = None,
                folder: Annotated[str | None, Form(description="or: a folder on the server", max_length=1000)] = None,
                forms: Annotated[UploadFile | None, File(description="application-form CSV")] = None,
                jurors: Annotated[UploadFile | None, File(description="jurors JSONL")] = None,
                use_archive: Annotated[bool, Form(description="compare with the archive of past editions")] = True,
                notes_lang: Annotated[str, Form(max_length=10)] = "ru",
                skip: Annotated[list[str] | None, Form(description="AI stages to skip")] = None) -> dict:
    """Queue a pre-screening batch; a worker runs it. Answers 202 with the job's id and state. (A plain ``def``:
    FastAPI runs it in its thread pool, so copying uploads to disk never blocks the event loop.)"""
    return submit.start_batch(settings, db, created_by=organizer.login, files=files, folder=folder, forms=forms,
                              jurors=jurors, use_archive=use_archive, notes_lang=notes_lang, skip=skip)


def _job(db, job_id: int) -> dict:
    job = JobStore(db).get(job_id)
    if job is None:
        raise NotFound(f"no batch job {job_id}", hint="POST /batches starts one")
    return job


@router.get("/{job_id}", response_model=BatchStatus)
def get_batch(job_id: RowId, db: DbDep, settings: SettingsDep, who: Annotated[Principal, user("batches.read")]) -> dict:
    """State (queued, running, done, failed, cancelled), current stage, done/total, per-stage times, per-file errors;
    ``stale`` (with a ``message``) when a running job's worker stopped sending heartbeats."""
    return submit.job_status(_job(db, job_id), settings.job_stale_s)


@router.post("/{job_id}/cancel", status_code=202, response_model=BatchStarted)
def cancel_batch(job_id: RowId, db: DbDep, settings: SettingsDep, organizer: OrganizerDep) -> dict:
    """A queued batch is cancelled at once; a running one stops at its next file, embedding batch, entry or stage.
    Its uploaded files are removed once it has stopped (the originals intake kept stay)."""
    _job(db, job_id)
    job = uploads.cancel(db, settings, job_id)
    return {"id": job_id, "state": job["state"]}


@router.post("/{job_id}/resume", status_code=202, response_model=BatchStarted)
def resume_batch(job_id: RowId, db: DbDep, settings: SettingsDep, organizer: OrganizerDep) -> dict:
    """A cancelled or failed batch back in the queue; finished files and stages are not done again. 409
    (``uploads_removed``) for a cancelled batch of uploaded files: they were removed; upload them again."""
    _job(db, job_id)
    job = uploads.resume(db, settings, job_id)
    return {"id": job_id, "state": job["state"]}
