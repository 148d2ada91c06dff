"""The jury's acts over HTTP: rubric, reviews (save, submit, reopen), decisions, results, duplicate-flag reviews.

Every write is made as the signed-in person; the scoring deadline and blind review come from the settings.
"""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from review_service.contest import flag_review, permissions, scoring
from review_service.contest.accounts import Principal
from review_service.core.errors import NotFound
from review_service.server.deps import DbDep, PagingDep, SettingsDep, user
from review_service.storage.jury_store import JuryStore
from review_service.storage.records import Decision, FlagReview

from .entry_schemas import DuplicateFlagOut, DuplicateVerdictIn, FlagReviewOut
from .jury_schemas import (
    DecisionIn,
    DecisionOut,
    EntryResultOut,
    ReasonIn,
    ReviewIn,
    ReviewOut,
    RubricIn,
    RubricOut,
)
from .schemas import Page

rubric = APIRouter(prefix="/rubric", tags=["rubric"])
reviews = APIRouter(prefix="/entries", tags=["reviews and decisions"])
results = APIRouter(tags=["results"])
flags = APIRouter(prefix="/flags", tags=["reviewing AI flags"])


def _page(items: list, page: tuple[int, int]) -> dict:
    offset, limit = page
    return {"items": items[offset:offset + limit], "total": len(items), "offset": offset, "limit": limit}


@rubric.get("", response_model=RubricOut)
def get_rubric(db: DbDep, who: Annotated[Principal, user("rubric.read")]) -> dict:
    """The current rubric (the newest version)."""
    return scoring.current_rubric(db)


@rubric.post("", response_model=RubricOut, status_code=201)
def post_rubric(body: RubricIn, db: DbDep, who: Annotated[Principal, user("rubric.write")]) -> dict:
    """Publish a new rubric version (criteria with kk/ru/en names, weight, scale, comment rule)."""
    return scoring.publish_rubric(db, body.criteria, who)


def _review_out(review: dict, who, blind: bool) -> dict:
    return {**review, "entry_id": permissions.public_id(review["entry_id"], who, blind)}


@reviews.get("/{entry_id}/reviews", response_model=Page[ReviewOut])
def list_reviews(entry_id: str, db: DbDep, settings: SettingsDep, page: PagingDep, who: Annotated[Principal, user("review.read")]) -> dict:
    """Reviews of an entry: all for organizers; a juror sees only their own."""
    eid, _ = permissions.entry_for(db, who, entry_id, "review.read")
    found = JuryStore(db).reviews(entry_id=eid, juror_id=None if who.is_staff else who.juror_id)
    return _page([_review_out(r, who, settings.blind_review) for r in found], page)


@reviews.put("/{entry_id}/review", response_model=ReviewOut)
def save_review(entry_id: str, body: ReviewIn, db: DbDep, settings: SettingsDep, who: Annotated[Principal, user("review.write")]) -> dict:
    """Save the caller's draft scores for an entry (checked against the rubric; before the scoring deadline)."""
    eid, _ = permissions.entry_for(db, who, entry_id, "review.write")
    values = {c: v.model_dump() for c, v in body.scores.items()}
    saved = scoring.save_review(db, eid, values, who, deadline=settings.scoring_deadline)
    return _review_out(saved, who, settings.blind_review)


@reviews.post("/{entry_id}/review/submit", response_model=ReviewOut)
def submit_review(entry_id: str, db: DbDep, settings: SettingsDep, who: Annotated[Principal, user("review.write")]) -> dict:
    """Submit (lock) the caller's scores: every criterion scored, comments where required."""
    eid, _ = permissions.entry_for(db, who, entry_id, "review.write")
    done = scoring.submit_review(db, eid, who, deadline=settings.scoring_deadline)
    return _review_out(done, who, settings.blind_review)


@reviews.post("/{entry_id}/reviews/{juror_id}/reopen", response_model=ReviewOut)
def reopen_review(entry_id: str, juror_id: str, body: ReasonIn, db: DbDep, who: Annotated[Principal, user("review.reopen")]) -> dict:
    """Reopen a juror's submitted review, with a reason (audited)."""
    eid, _ = permissions.entry_for(db, who, entry_id, "review.reopen")
    return scoring.reopen_review(db, eid, juror_id, body.reason, who)


@reviews.post("/{entry_id}/decisions", response_model=DecisionOut, status_code=201)
def post_decision(entry_id: str, body: DecisionIn, db: DbDep, who: Annotated[Principal, user("decisions.write")]) -> Decision:
    """Record an organizer's decision: eligibility, finalist or award place (a human act; AI never decides)."""
    eid, _ = permissions.entry_for(db, who, entry_id, "decisions.write")
    return scoring.record_decision(db, entry_id=eid, kind=body.kind, value=body.value, reason=body.reason,
                                   actor=who)


@reviews.get("/{entry_id}/decisions", response_model=Page[DecisionOut])
def entry_decisions(entry_id: str, db: DbDep, page: PagingDep, who: Annotated[Principal, user("decisions.read")]) -> dict:
    eid, _ = permissions.entry_for(db, who, entry_id, "decisions.read")
    return _page(JuryStore(db).decisions(eid), page)


@results.get("/decisions", response_model=Page[DecisionOut])
def all_decisions(db: DbDep, page: PagingDep, who: Annotated[Principal, user("decisions.read")]) -> dict:
    return _page(JuryStore(db).decisions(), page)


def labels(db) -> dict[str, dict]:
    return {r["entry_id"]: {"code": permissions.entry_code(r["entry_id"]), "file_name": r["file_name"]}
            for r in db.submissions()}


@results.get("/results", response_model=Page[EntryResultOut])
def get_results(db: DbDep, settings: SettingsDep, page: PagingDep, who: Annotated[Principal, user("results.read")]) -> dict:
    """Per entry: submitted reviews against those required, each juror's weighted total, raw mean, mean of
    per-juror z-scores, ranks under each, ties and wide disagreement flagged. Figures only: people decide."""
    names = labels(db)
    decided = scoring.current_decisions(db)
    items = [{"entry_id": r.entry_id, **names.get(r.entry_id, {"code": "", "file_name": ""}),
              "submitted": r.submitted, "required": r.required,
              "totals": [t.__dict__ for t in r.totals], "raw_mean": r.raw_mean, "z_mean": r.z_mean,
              "rank_raw": r.rank_raw, "rank_z": r.rank_z, "tie_raw": r.tie_raw, "tie_z": r.tie_z,
              "spread": r.spread, "disagreement": r.disagreement,
              "decisions": {k: d.value for k, d in decided.get(r.entry_id, {}).items()},
              "not_counted": [n.__dict__ for n in r.not_counted]}
             for r in scoring.results(db, settings.disagreement)]
    return _page(items, page)


@flags.get("/duplicates", response_model=Page[DuplicateFlagOut])
def duplicate_flags(db: DbDep, page: PagingDep, who: Annotated[Principal, user("flags.review")],
                    verdict: Annotated[str | None, Query(pattern="^(confirm|dismiss|none)$")] = None) -> dict:
    """The AI's duplicate flags (drafts) with the latest person's verdict on each."""
    verdicts = flag_review.latest_verdicts(db, "duplicate")
    items = []
    for f in flag_review.duplicate_flags(db):
        review = verdicts.get(flag_review.duplicate_key(f))
        if verdict is None or (review.verdict if review else "none") == verdict:
            items.append({**f, "status": "draft", "review": review})
    return _page(items, page)


@flags.post("/duplicates/review", response_model=FlagReviewOut, status_code=201)
def review_duplicate(body: DuplicateVerdictIn, db: DbDep, who: Annotated[Principal, user("flags.review")]) -> FlagReview:
    """Confirm or dismiss one duplicate flag, with a comment."""
    if not body.a.strip():
        raise NotFound("no such flag")
    return flag_review.review_duplicate(db, a=body.a, b=body.b, kind=body.kind, verdict=body.verdict,
                                        comment=body.comment, actor=who)
