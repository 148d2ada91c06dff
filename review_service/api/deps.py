"""Dependencies: settings, database and the acting person, as Annotated aliases."""
from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header, Request

from review_service.config import Settings
from review_service.errors import PermissionDenied
from review_service.storage import Database


def _settings(request: Request) -> Settings:
    return request.app.state.settings


def _db(request: Request) -> Database:
    return request.app.state.db


def _actor(x_actor: Annotated[str | None, Header(description="the person acting (name or login)")] = None) -> str:
    if not x_actor or not x_actor.strip():
        raise PermissionDenied("this action records a person's decision: send the X-Actor header with your name",
                               hint="AI never scores and never decides")
    return x_actor.strip()


SettingsDep = Annotated[Settings, Depends(_settings)]
DbDep = Annotated[Database, Depends(_db)]
ActorDep = Annotated[str, Depends(_actor)]
