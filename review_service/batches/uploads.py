"""Where ``POST /batches`` (and the batch page) put uploaded files, and when they go: a staging folder per request
under ``{data_dir}/uploads/<random>/`` (``entries/``, ``forms.csv``, ``jurors.jsonl``).

- A refused or failed request removes its folder before it answers (nothing half-saved stays).
- A cancelled batch's folder is removed when it stops: at once for a queued one (:func:`cancel`), by the worker
  for a running one; a finished batch's folder when it is done. Intake has by then copied every file it took in
  to ``{data_dir}/originals`` (content-addressed, kept), which this module never touches: it only removes a
  folder directly under ``{data_dir}/uploads``.
- A failed batch keeps its folder, so that resuming it can finish; resuming a cancelled uploaded batch is refused
  (409 ``uploads_removed``): start a new batch with the files — what was read before comes from the caches.
"""
from __future__ import annotations

import shutil
import uuid
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from review_service.core.errors import StateConflict
from review_service.storage import Database
from review_service.storage.job_store import JobStore


def staging_root(settings) -> Path:
    return settings.data_dir / "uploads"


def new_staging(settings) -> Path:
    """A fresh (not yet created) staging folder for one request."""
    return staging_root(settings) / uuid.uuid4().hex


def staging_of(settings, params: Mapping[str, Any]) -> Path | None:
    """The staging folder a job's files came from; None for a folder on the server (or one given to ``screen``)."""
    root = staging_root(settings).resolve()
    try:
        rel = Path(str(params.get("folder") or "")).resolve().relative_to(root)
    except ValueError:
        return None
    return root / rel.parts[0] if rel.parts else None


def discard(settings, folder: Path | None) -> bool:
    """Remove ``folder`` if it is a staging folder (directly under ``{data_dir}/uploads``); True when it was."""
    if folder is None:
        return False
    folder = Path(folder).resolve()
    if folder.parent != staging_root(settings).resolve():
        return False
    shutil.rmtree(folder, ignore_errors=True)
    return True


def discard_job_uploads(settings, job: Mapping[str, Any]) -> bool:
    return discard(settings, staging_of(settings, job.get("params") or {}))


def cancel(db: Database, settings, job_id: int) -> dict:
    """Ask a job to stop (``JobStore.request_cancel``); a queued one is cancelled now and its uploads removed."""
    job = JobStore(db).request_cancel(job_id) or {}
    if job.get("state") == "cancelled":
        discard_job_uploads(settings, job)
    return job


def resume(db: Database, settings, job_id: int) -> dict:
    """A cancelled or failed job back in the queue; refused (409) when its uploaded files were removed."""
    store = JobStore(db)
    job = store.get(job_id) or {}
    staging = staging_of(settings, job.get("params") or {})
    if job.get("state") in ("cancelled", "failed") and staging is not None and not staging.exists():
        raise StateConflict("this batch's uploaded files were removed when it was cancelled",
                            hint="start a new batch with the files (what was read before is reused from the caches)",
                            code="uploads_removed")
    return store.requeue(job_id) or {}
