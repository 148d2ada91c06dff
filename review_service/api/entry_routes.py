"""Routers: entries (with their AI draft notes and pre-check reviews), AI drafts, audit log, search.

Who may call what is declared by ``Annotated[Principal, user("action")]`` (review_service.contest.permissions); what a juror sees of an
entry is shaped by ``permissions.project_entry`` — nowhere else.
"""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from review_service.api.audit_schemas import AuditRecord, ChainOut
from review_service.api.entry_schemas import (
    AiDraft,
    EntryRecord,
    EntrySummary,
    FeedbackIn,
    FlagReviewOut,
    NoteOut,
    VerdictIn,
)
from review_service.api.schemas import Page
from review_service.api.search_schemas import SearchOut
from review_service.contest import drafts as entry_drafts
from review_service.contest import flag_review, permissions
from review_service.contest.accounts import Principal
from review_service.core.errors import NotFound
from review_service.server.deps import DB_INT_MAX, DbDep, PagingDep, SearchEngineDep, SettingsDep, user
from review_service.stages.notes.sentences import note_sentences, sentence_count
from review_service.storage.records import FlagReview

entries = APIRouter(prefix="/entries", tags=["entries"])
drafts = APIRouter(prefix="/drafts", tags=["AI drafts"])
audit = APIRouter(prefix="/audit", tags=["audit"])
search = APIRouter(prefix="/search", tags=["search"])
EntryKey = Annotated[str, "an entry id, or (for jurors) its neutral code E-XXXXXX"]


@entries.get("", response_model=Page[EntrySummary])
def list_entries(db: DbDep, settings: SettingsDep, page: PagingDep, who: Annotated[Principal, user("entries.read")],
                 status: Annotated[str | None, Query(max_length=40)] = None) -> dict:
    """Entries the caller may see: all for organizers; for a juror, those published for them (blind: codes)."""
    scope = permissions.visible_entry_ids(db, who)
    records = [r for r in db.submissions(status=status) if scope is None or r["entry_id"] in scope]
    offset, limit = page
    items = [permissions.project_entry(r, who, settings.blind_review) for r in records[offset:offset + limit]]
    return {"items": items, "total": len(records), "offset": offset, "limit": limit}


@entries.get("/{entry_id}", response_model=EntryRecord)
def get_entry(entry_id: EntryKey, db: DbDep, settings: SettingsDep, who: Annotated[Principal, user("entries.read")]) -> dict:
    _, record = permissions.entry_for(db, who, entry_id)
    return permissions.project_entry(record, who, settings.blind_review)


def _note(db, entry_id: str) -> dict:
    note = entry_drafts.entry_note(db, entry_id)
    if note is None:
        raise NotFound("no draft note for this entry yet", hint="run `review-service screen` with the notes stage")
    return note


@entries.get("/{entry_id}/note", response_model=NoteOut)
def get_note(entry_id: EntryKey, db: DbDep, settings: SettingsDep, who: Annotated[Principal, user("notes.read")]) -> dict:
    """The AI draft note, sentence by sentence (for a juror in blind mode: personal values replaced by […])."""
    eid, record = permissions.entry_for(db, who, entry_id, "notes.read")
    note = _note(db, eid)
    out = {"entry_id": permissions.public_id(eid, who, settings.blind_review), "lang": note.get("lang", ""),
           "disclaimer": note.get("disclaimer", ""), "summary_mode": note.get("summary_mode", ""),
           "provenance": note.get("provenance", {}), "sentences": note_sentences(note)}
    if permissions.blind_for(who, settings.blind_review):
        out = permissions.scrub(out, permissions.matcher(record))
    return out


@entries.post("/{entry_id}/note/feedback", response_model=FlagReviewOut, status_code=201)
def note_feedback(entry_id: EntryKey, body: FeedbackIn, db: DbDep, who: Annotated[Principal, user("notes.feedback")]) -> dict:
    """Mark one sentence of the AI note helpful or wrong (the note itself is never edited)."""
    eid, _ = permissions.entry_for(db, who, entry_id, "notes.feedback")
    row = flag_review.review_note_sentence(db, entry_id=eid, sentence=body.sentence,
                                           n_sentences=sentence_count(_note(db, eid)),
                                           verdict=body.verdict, comment=body.comment, actor=who)
    return {**row.as_dict(), "target": f"note:{permissions.entry_code(eid)}:{body.sentence}"}


@entries.post("/{entry_id}/checks/{check}/review", response_model=FlagReviewOut, status_code=201)
def review_check(entry_id: EntryKey, check: str, body: VerdictIn, db: DbDep, who: Annotated[Principal, user("flags.review")]) -> FlagReview:
    """Uphold or override one pre-check (advice) with a comment."""
    eid, record = permissions.entry_for(db, who, entry_id, "flags.review")
    return flag_review.review_precheck(db, entry_id=eid, record=record, check=check, verdict=body.verdict,
                                       comment=body.comment, actor=who)


@drafts.get("/{stage}", response_model=AiDraft)
def get_draft(stage: Annotated[str, Path(max_length=40)], db: DbDep, who: Annotated[Principal, user("drafts.read")],
              batch: Annotated[int | None, Query(ge=0, le=DB_INT_MAX)] = None) -> dict:
    """The AI draft of ``stage`` for batch ``batch`` (default: the latest batch that has one)."""
    found = db.latest_ai_result(stage, batch)
    if found is None:
        raise NotFound(f"no AI draft for stage {stage!r} yet", hint="run `review-service screen` first")
    return {"stage": stage, **found}


def _audit_row(row: dict) -> dict:
    import json

    return {**row, **{k: json.loads(row[k]) if row[k] else None for k in ("detail", "before", "after")}}


@audit.get("", response_model=Page[AuditRecord])
def get_audit(db: DbDep, page: PagingDep, who: Annotated[Principal, user("audit.read")],
              subject: Annotated[str | None, Query(max_length=200)] = None) -> dict:
    """The audit trail, oldest first (hash-chained; GET /audit/verify checks it)."""
    offset, limit = page
    rows, total = db.audit_page(subject=subject, offset=offset, limit=limit)
    return {"items": [_audit_row(r) for r in rows], "total": total, "offset": offset, "limit": limit}


@audit.get("/verify", response_model=ChainOut)
def verify_audit(db: DbDep, who: Annotated[Principal, user("audit.read")]) -> dict:
    """The same checks as `review-service audit verify`: chain, HMACs, checkpoint, tables replayed."""
    return db.verify_audit().as_dict()


Facet = Annotated[list[str] | None, Query()]
"""A filter that may be given several times (``?lang=kk&lang=ru``)."""


@search.get("", response_model=SearchOut)
def do_search(engine: SearchEngineDep, who: Annotated[Principal, user("search")], q: Annotated[str, Query(min_length=1, max_length=1000)],
              k: Annotated[int, Query(ge=1, le=100)] = 10, year: Facet = None, lang: Facet = None,
              region: Facet = None, library_type: Facet = None, outcome: Facet = None, theme: Facet = None,
              archive_edition: Annotated[list[str] | None, Query(alias="in_edition")] = None) -> dict:
    """Hybrid (BM25 + dense) cross-lingual search over past projects (the archive: closed and imported editions),
    with filters and facet counts; ``in_edition`` filters on the past edition (``edition`` names the edition the
    request works in, as on every route)."""
    given = {"year": year, "lang": lang, "region": region, "library_type": library_type, "outcome": outcome,
             "theme": theme, "edition": archive_edition}
    filters = {key: v for key, v in given.items() if v}
    return engine().search(q, k=k, filters=filters).to_dict()


@search.get("/like/{doc_id}", response_model=SearchOut)
def more_like_this(doc_id: str, engine: SearchEngineDep, who: Annotated[Principal, user("search")],
                   k: Annotated[int, Query(ge=1, le=100)] = 10) -> dict:
    """Past projects like this one."""
    return engine().more_like_this(doc_id, k=k).to_dict()
