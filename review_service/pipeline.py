"""Composes the stages for a batch: intake → embed → topic check → duplicates → themes → matching → notes → report.

Each AI stage produces drafts with provenance; a stage that fails is reported (with its error) and the batch goes
on, so nothing already taken in is lost. The screening JSON's schema is documented in docs/screening-schema.md.
"""
from __future__ import annotations

import hashlib
import json
import logging
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from review_service import __version__
from review_service.config import Settings
from review_service.domain import Document
from review_service.errors import ReviewError
from review_service.intake import IntakeItem, list_files, read_forms, status_of, take_in_file
from review_service.storage import Database, open_database

logger = logging.getLogger(__name__)

SCHEMA = "review-service/screening"
SCHEMA_VERSION = "1.0"
AI_NOTICE = ("Everything marked AI in this report is a draft, a flag or a suggestion made by software. It is not a "
             "score and not a decision: the organizing committee and the jury decide, and only a person's action "
             "records a score, an eligibility decision or a final assignment.")
STAGES = ("topic", "duplicates", "themes", "matching", "notes")


@dataclass
class ScreenOptions:
    forms: Path | None = None
    archive: Path | None = None
    jurors: Path | None = None
    jurors_per_entry: int = 3
    notes_lang: str = "ru"
    generator: str = "none"
    stages: tuple[str, ...] = STAGES
    progress: bool = True
    themes_k: int | None = None


@dataclass
class ScreenResult:
    report: dict
    items: list[IntakeItem] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        summary = self.report["summary"]
        attention = summary["needs_attention"] + summary["failed"] + len(self.report["stage_errors"])
        return 1 if attention or summary["forms_without_file"] else 0


def _progress(total: int, desc: str, enabled: bool):
    from tqdm import tqdm

    return tqdm(total=total, desc=desc, unit="file", disable=not enabled, file=sys.stderr, dynamic_ncols=True)


def _provenance(model: str, revision: str, payload: object, prompt: str = "", prompt_version: str = "") -> dict:
    digest = hashlib.sha256(json.dumps(payload, sort_keys=True, ensure_ascii=False, default=str).encode()).hexdigest()
    return {"model": model, "model_revision": revision, "prompt": prompt, "prompt_version": prompt_version,
            "input_hash": digest, "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "software": f"review-service {__version__}"}


class _Stages:
    """Holds what several stages share (encoder, chunk vectors) and records stage errors."""

    def __init__(self, settings: Settings, db: Database, options: ScreenOptions, report: dict,
                 records: list[dict], out_dir: Path | None) -> None:
        self.settings, self.db, self.options, self.report = settings, db, options, report
        self.records, self.out_dir = records, out_dir
        self._encoder = None
        self._chunk_vectors: dict[str, np.ndarray] = {}

    @property
    def encoder(self):
        if self._encoder is None:
            from embeddings import CachedEncoder, load_encoder

            self._encoder = CachedEncoder(load_encoder(self.settings), cache=self.db)
        return self._encoder

    def precompute(self, docs: list[Document], batch: int = 64) -> None:
        """Encode every chunk of the batch in large batches (one progress bar), cached by content hash."""
        todo = [(d.id, i, c.text) for d in docs if d.id not in self._chunk_vectors for i, c in enumerate(d.chunks)]
        if not todo:
            return
        from tqdm import tqdm

        from embeddings.encoder import encode_in_batches

        with tqdm(total=len(todo), desc="embedding", unit="passage", disable=not self.options.progress,
                  file=sys.stderr, dynamic_ncols=True) as bar:
            matrix = encode_in_batches(self.encoder, [t for _, _, t in todo], kind="document", batch=batch,
                                       on_batch=bar.update)
        rows: dict[str, list[int]] = {}
        for row, (doc_id, _, _) in enumerate(todo):
            rows.setdefault(doc_id, []).append(row)
        for doc_id, idx in rows.items():
            self._chunk_vectors[doc_id] = matrix[idx]

    def chunk_vectors(self, doc: Document) -> np.ndarray:
        if doc.id not in self._chunk_vectors:
            self._chunk_vectors[doc.id] = self.encoder.encode([c.text for c in doc.chunks], kind="document")
        return self._chunk_vectors[doc.id]

    def run(self, name: str, fn: Callable[[], None]) -> None:
        if name not in self.options.stages:
            return
        started = time.monotonic()
        try:
            fn()
        except ReviewError as exc:
            logger.error("stage %s: %s", name, exc)
            self.report["stage_errors"].append({"stage": name, "code": exc.code, "message": str(exc)})
        except Exception as exc:  # one broken stage must not lose the batch
            logger.exception("stage %s failed", name)
            self.report["stage_errors"].append({"stage": name, "code": "internal_error",
                                                "message": f"{type(exc).__name__}: {exc}"})
        self.report["timings_s"][name] = round(time.monotonic() - started, 2)


def _summary(records: list[dict], forms: dict, seen_forms: set[str]) -> dict:
    by = {s: sum(r["status"] == s for r in records) for s in ("ok", "needs_attention", "failed")}
    missing = sorted(row.get("file_name", k) for k, row in forms.items() if k not in seen_forms)
    return {"files": len(records), **by, "forms_without_file": missing}


def run_screen(folder: Path, settings: Settings, options: ScreenOptions | None = None,
               db: Database | None = None, out_dir: Path | None = None) -> ScreenResult:
    options = options or ScreenOptions()
    own_db = db is None
    db = db or open_database(settings)
    try:
        return _run(Path(folder), settings, options, db, out_dir)
    finally:
        if own_db:
            db.close()


def _run(folder: Path, settings: Settings, options: ScreenOptions, db: Database, out_dir: Path | None) -> ScreenResult:
    started = time.monotonic()
    files = list_files(folder)
    forms = read_forms(options.forms) if options.forms else {}
    if forms:
        db.save_forms(forms)
    batch_id = db.start_batch(str(folder.resolve()))
    report: dict = {
        "schema": SCHEMA, "schema_version": SCHEMA_VERSION, "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "contest": settings.contest_name, "ai_notice": AI_NOTICE, "source": str(folder),
        "rules": {"deadline": settings.deadline.isoformat(), "max_age": settings.max_age,
                  "presentation_minutes": settings.presentation_minutes,
                  "allowed_library_types": list(settings.allowed_library_types)},
        "summary": {}, "files": [], "duplicates": [], "themes": [], "assignment": None, "notes": [],
        "stage_errors": [], "timings_s": {}, "provenance": {},
    }
    items: list[IntakeItem] = []
    bar = _progress(len(files), "intake", options.progress)
    for path in files:
        bar.set_postfix_str(path.name[:40])
        items.append(take_in_file(path, settings, db, forms, batch_id))
        bar.update()
    bar.close()
    report["timings_s"]["intake"] = round(time.monotonic() - started, 2)

    stages = _Stages(settings, db, options, report, [it.record for it in items], out_dir)
    docs = [it.document for it in items if it.document is not None and it.document.chunks]
    if docs:
        stages.run("topic", lambda: _topic(stages, items))
        from review_service import screen_stages

        stages.run("duplicates", lambda: screen_stages.duplicates(stages, docs))
        stages.run("themes", lambda: screen_stages.themes(stages, docs))
        stages.run("matching", lambda: screen_stages.matching(stages, docs))
        stages.run("notes", lambda: screen_stages.notes(stages, docs))

    flagged = {r["a"] for r in report["duplicates"]} | {r["b"] for r in report["duplicates"]}
    for it in items:
        if it.record["entry_id"] in flagged:
            it.record["reasons"].append({"code": "duplicate_flag",
                                         "message": "AI flagged a possible duplicate (a draft); see Duplicates"})
        it.record["status"] = status_of(it.record)
        db.save_submission(it.record, batch_id)
    records = [it.record for it in items]
    report["files"] = records
    report["summary"] = _summary(records, forms, {r["file_name"].casefold() for r in records})
    report["timings_s"]["total"] = round(time.monotonic() - started, 2)
    db.finish_batch(batch_id)
    return ScreenResult(report=report, items=items)


def _topic(stages: _Stages, items: list[IntakeItem]) -> None:
    from review_service.relevance import RelevanceChecker

    checker = RelevanceChecker(stages.encoder)
    enc = stages.encoder
    stages.precompute([it.document for it in items if it.document is not None])
    for it in items:
        doc = it.document
        if doc is None or not doc.chunks:
            continue
        check = checker.check(doc, stages.chunk_vectors(doc))
        it.record["checks"] = [c for c in it.record["checks"] if c["name"] != "topic"] + [check.__dict__]
    stages.report["provenance"]["topic"] = _provenance(enc.model_id, enc.revision, [it.record["sha256"] for it in items])
