"""Editions over HTTP: list (a juror sees the editions whose jury they are on), create as a copy, close into the
archive (organizers). Every other route works in one edition: ``?edition=NAME``, else the edition cookie, else the
current one (server/deps.py, ``in_edition``)."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request

from review_service.contest import editions
from review_service.contest.accounts import Principal
from review_service.server.deps import DbDep, SettingsDep, user

from .edition_schemas import EditionClosedOut, EditionIn, EditionOut

router = APIRouter(prefix="/editions", tags=["editions"])
Name = Annotated[str, Path(min_length=1, max_length=40, description='an edition\'s name, e.g. "3.0"')]


def _out(edition: dict, request: Request) -> dict:
    current = getattr(request.state, "edition", None) or {}
    return {**edition, "current": edition["id"] == current.get("id")}


@router.get("", response_model=list[EditionOut])
def list_editions(request: Request, db: DbDep, who: Annotated[Principal, user("editions.read")]) -> list[dict]:
    """Every edition, oldest first (a juror: those whose jury they are on); ``current`` marks this request's."""
    return [_out(e, request) for e in editions.visible(db, who)]


@router.post("", response_model=EditionOut, status_code=201)
def create_edition(body: EditionIn, request: Request, db: DbDep, who: Annotated[Principal, user("editions.manage")]) -> dict:
    """A new open edition; with ``copy_from`` a copy of that edition's set-up, rubric and jury."""
    made = editions.create(db, request.app.state.settings, name=body.name, year=body.year, actor=who.login,
                           copy_from=body.copy_from)
    return _out(made, request)


@router.post("/{name}/close", response_model=EditionClosedOut)
def close_edition(name: Name, request: Request, db: DbDep, settings: SettingsDep,
                  who: Annotated[Principal, user("editions.manage")]) -> dict:
    """Carry the edition's entries into the archive (text, language, themes, region, library type, outcome) and
    make it read-only: its writes answer 409 ``edition_closed`` from now on."""
    return _out(editions.close(db, settings, name=name, actor=who.login), request)
