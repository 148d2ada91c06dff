"""Sign-in and accounts at the API boundary: a token, who am I, user accounts."""
from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

from review_service.contest.accounts import NewAccount

from .schemas import examples


class Token(BaseModel):
    model_config = examples({"access_token": "mF_9.B5f-4.1JqM", "token_type": "bearer", "expires_in": 43200})
    access_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_in: int


class SignedOut(BaseModel):
    revoked: bool


class Me(BaseModel):
    model_config = examples({"login": "aigerim", "name": "Айгерім", "role": "juror", "juror_id": "j01",
                              "blind_review": True})
    login: str
    name: str
    role: Literal["admin", "organizer", "juror"]
    juror_id: str | None
    blind_review: bool


class UserOut(BaseModel):
    login: str
    name: str
    role: Literal["admin", "organizer", "juror"]
    juror_id: str | None
    disabled: bool
    created_at: str


class UserIn(NewAccount):  # the rules are contest.accounts.NewAccount's; no docstring: the schema stays as it was
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"login": "serik", "role": "organizer", "name": "Серік", "password": "correct horse battery"}]})
