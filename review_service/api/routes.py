"""Routers: entries, AI drafts, human scores and decisions, audit log, search."""
from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request

from review_service import scoring
from review_service.errors import NotFound

from .deps import ActorDep, DbDep
from .schemas import AiDraft, DecisionIn, EntryRecord, EntrySummary, ScoreIn

entries = APIRouter(prefix="/entries", tags=["entries"])
drafts = APIRouter(prefix="/drafts", tags=["AI drafts"])
audit = APIRouter(prefix="/audit", tags=["audit"])
search = APIRouter(prefix="/search", tags=["search"])


def _entry(db, entry_id: str) -> dict:
    record = db.submission(entry_id)
    if record is not None:
        return record
    raise NotFound(f"no entry {entry_id!r}", hint="GET /entries lists them")


@entries.get("", response_model=list[EntrySummary])
def list_entries(db: DbDep, status: str | None = None) -> list[dict]:
    return db.submissions(status=status)


@entries.get("/{entry_id}", response_model=EntryRecord)
def get_entry(entry_id: str, db: DbDep) -> dict:
    return _entry(db, entry_id)


@entries.post("/{entry_id}/scores", status_code=201)
def post_score(entry_id: str, body: ScoreIn, db: DbDep, actor: ActorDep) -> dict:
    _entry(db, entry_id)
    scoring.record_score(db, entry_id=entry_id, juror_id=body.juror_id, criterion=body.criterion, value=body.value,
                         comment=body.comment, actor=actor)
    return {"entry_id": entry_id, "recorded_by": actor}


@entries.get("/{entry_id}/scores")
def get_scores(entry_id: str, db: DbDep) -> list[dict]:
    return db.scores(entry_id)


@entries.post("/{entry_id}/decisions", status_code=201)
def post_decision(entry_id: str, body: DecisionIn, db: DbDep, actor: ActorDep) -> dict:
    _entry(db, entry_id)
    scoring.record_decision(db, entry_id=entry_id, kind=body.kind, value=body.value, reason=body.reason, actor=actor)
    return {"entry_id": entry_id, "kind": body.kind, "recorded_by": actor}


@drafts.get("/{stage}", response_model=AiDraft)
def get_draft(stage: str, db: DbDep, batch: int | None = None) -> dict:
    """The AI draft of ``stage`` for batch ``batch`` (default: the latest batch that has one)."""
    found = db.latest_ai_result(stage, batch)
    if found is None:
        raise NotFound(f"no AI draft for stage {stage!r} yet", hint="run `review-service screen` first")
    return {"stage": stage, **found}


@audit.get("")
def get_audit(db: DbDep, subject: str | None = None) -> list[dict]:
    return db.audit_log(subject)


def _engine(request: Request):
    return request.app.state.search_engine()


Facet = Annotated[list[str] | None, Query()]
"""A filter that may be given several times (``?lang=kk&lang=ru``)."""


@search.get("")
def do_search(request: Request, q: Annotated[str, Query(min_length=1)], k: Annotated[int, Query(ge=1, le=100)] = 10,
              year: Facet = None, lang: Facet = None, region: Facet = None, library_type: Facet = None,
              outcome: Facet = None, theme: Facet = None) -> dict[str, Any]:
    """Hybrid (BM25 + dense) cross-lingual search over past projects, with filters and facet counts."""
    given = {"year": year, "lang": lang, "region": region, "library_type": library_type, "outcome": outcome,
             "theme": theme}
    filters = {key: v for key, v in given.items() if v}
    return _engine(request).search(q, k=k, filters=filters).to_dict()


@search.get("/like/{doc_id}")
def more_like_this(doc_id: str, request: Request, k: int = Query(10, ge=1, le=100)) -> dict[str, Any]:
    """Past projects like this one."""
    return _engine(request).more_like_this(doc_id, k=k).to_dict()
