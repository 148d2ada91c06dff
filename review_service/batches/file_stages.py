"""The per-file stages of pre-screening, as registered in :mod:`review_service.batches.stage_registry`:
``intake`` takes in every file found (:mod:`review_service.intake.receive`: originals kept by SHA-256, parsed
text, one screening record each, committed file by file) and ``render`` lays DOCX and PPTX originals out as PDF
(:mod:`review_service.intake.renditions`). They handle each file's failure in its record and raise nothing else
but what must stop the batch; a resumed batch runs them again from the parse and rendition caches.
"""
from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from review_service.batches.typed_batch import Batch, Entry, StageContext
from review_service.core.config import Settings
from review_service.core.domain import Check
from review_service.intake import renditions
from review_service.intake.receive import take_in_file


def intake(ctx: StageContext, batch: Batch) -> Batch:
    """Every file of the run (``ctx.files``) taken in, in order, with its form (``ctx.forms``); one entry each."""
    entries = []
    with ctx.progress(len(ctx.files), "intake", "file") as bar:
        for path in ctx.files:
            bar.set_postfix_str(path.name[:40])
            item = take_in_file(path, ctx.settings, ctx.db, dict(ctx.forms), batch.id, origin=ctx.origins.get(path))
            entries.append(Entry(record=item.record, checks=tuple(Check(**c) for c in item.record["checks"]),
                                 document=item.document, parsed=item.parsed))
            bar.update()
    return dataclasses.replace(batch, entries=tuple(entries))


def file_errors(batch: Batch) -> list[dict[str, Any]]:
    """Per-file errors (files that could not be read), for the job status."""
    records = [e.record for e in batch.entries]
    return [{"file_name": r["file_name"], "code": r["reasons"][0]["code"] if r["reasons"] else "failed",
             "message": r["reasons"][0]["message"] if r["reasons"] else ""}
            for r in records if r["status"] == "failed"]


def _renderable(entry: Entry) -> bool:
    return entry.parsed is not None and renditions.renderable(entry.parsed.format)


def has_renderable(ctx: StageContext, batch: Batch) -> bool:
    """Whether the batch holds a DOCX or PPTX original (the render stage has nothing to do otherwise)."""
    return any(_renderable(e) for e in batch.entries)


def render_jobs(batch: Batch, settings: Settings) -> list[renditions.Job]:
    return [renditions.Job(e.record["sha256"], settings.data_dir / e.record["stored_as"], e.parsed.format,
                           e.parsed.blocks, e.parsed.slides)
            for e in batch.entries if e.parsed is not None and renditions.renderable(e.parsed.format)]


def render(ctx: StageContext, batch: Batch) -> Batch:
    """DOCX and PPTX originals → PDF renditions, each recorded on its screening record as ``rendition``. Cached
    renditions (a resumed batch, a file taken in before) are not made again; with rendering off (no LibreOffice,
    ``REVIEW_RENDER_ORIGINALS=off``) only what earlier runs recorded; a failure is recorded, never raised."""
    jobs = render_jobs(batch, ctx.settings)
    if renditions.enabled(ctx.settings):
        with ctx.progress(len(jobs), "render", "file") as bar:
            found = renditions.render_batch(jobs, ctx.settings, progress=bar.update)
    else:
        found = renditions.render_batch(jobs, ctx.settings)

    def rendered(entry: Entry) -> Entry:
        rendition = found.get(entry.record["sha256"])
        if rendition is None or not _renderable(entry):
            return entry
        record: Mapping[str, Any] = {**entry.record, "rendition": rendition.summary()}
        return dataclasses.replace(entry, record=record)

    return dataclasses.replace(batch, entries=tuple(rendered(e) for e in batch.entries))
