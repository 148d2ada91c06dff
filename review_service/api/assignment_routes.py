"""Assignments: the draft (AI suggestion, then organizers' edits), re-solving, publication; a juror's own list."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter

from review_service.contest import assignments, permissions
from review_service.contest.accounts import Principal
from review_service.core.errors import NotFound
from review_service.server.deps import DbDep, SettingsDep, user

from .assignment_schemas import AssignmentOut, EditsIn, MyAssignment, PublishIn, ResolveIn

router = APIRouter(prefix="/assignments", tags=["assignments"])


def _out(row: dict) -> dict:
    p = row["payload"]
    return {"state": row["state"], "version": row["version"], "actor": row["actor"], "at": row["at"],
            "note": row["note"], "entries": p["entries"], "pins": p.get("pins", []), "forbids": p.get("forbids", []),
            "conflicts": p.get("conflicts", []), "changes": p.get("changes")}


@router.get("/draft", response_model=AssignmentOut)
def get_draft(db: DbDep, who: Annotated[Principal, user("assignment.manage")]) -> dict:
    """The current draft: version 0 is the AI suggestion as it came; each edit makes a new version."""
    return _out(assignments.current_draft(db))


@router.post("/draft/edits", response_model=AssignmentOut, status_code=201)
def edit_draft(body: EditsIn, db: DbDep, who: Annotated[Principal, user("assignment.manage")]) -> dict:
    """Pin, forbid, remove or swap jurors (conflicts of interest are refused); ``expect_version`` guards
    against editing a draft someone else changed meanwhile."""
    return _out(assignments.edit_draft(db, body.edits, who, expect_version=body.expect_version, note=body.note))


@router.post("/draft/resolve", response_model=AssignmentOut, status_code=201)
def resolve_draft(body: ResolveIn, db: DbDep, who: Annotated[Principal, user("assignment.manage")]) -> dict:
    """Solve again under the draft's pins and forbids (the suggestion's affinities; conflicts stay blocked)."""
    return _out(assignments.resolve_draft(db, who, expect_version=body.expect_version, mode=body.mode))


@router.post("/publish", response_model=AssignmentOut, status_code=201)
def publish(body: PublishIn, db: DbDep, who: Annotated[Principal, user("assignment.manage")]) -> dict:
    """Publish the draft: from now on jurors see and score their entries (a human act, audited)."""
    return _out(assignments.publish(db, who, expect_version=body.expect_version, note=body.note))


@router.get("/published", response_model=AssignmentOut)
def get_published(db: DbDep, who: Annotated[Principal, user("assignment.manage")]) -> dict:
    found = assignments.published(db)
    if found is None:
        raise NotFound("nothing published yet", hint="POST /assignments/publish")
    return _out(found)


@router.get("/mine", response_model=MyAssignment)
def mine(db: DbDep, settings: SettingsDep, who: Annotated[Principal, user("assignment.mine")]) -> dict:
    """The caller's entries in the latest publication, and what that publication added or removed for them."""
    scope = permissions.juror_scope(db, who.juror_id or "")
    found = assignments.published(db)
    if found is None:
        return {"version": None, "published_at": None, "entries": [], "added": [], "removed": []}
    changes = found["payload"].get("changes") or {}

    def mine_of(pairs: list[str]) -> list[str]:
        out = []
        for pair in pairs:
            juror, entry = pair.split(":", 1)
            if juror == who.juror_id and entry not in scope.conflicted | scope.declared:
                out.append(permissions.public_id(entry, who, settings.blind_review))
        return sorted(out)

    return {"version": found["version"], "published_at": found["at"],
            "entries": sorted(permissions.public_id(e, who, settings.blind_review) for e in scope.entries),
            "added": mine_of(changes.get("added", [])), "removed": mine_of(changes.get("removed", []))}
