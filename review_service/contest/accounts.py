"""People and sign-in: accounts with roles, argon2 password hashes, opaque session tokens.

A session token is ``secrets.token_urlsafe(32)``; only its SHA-256 is stored, with an expiry
(``REVIEW_SESSION_HOURS``) and a revocation time. The same token works as ``Authorization: Bearer`` (API clients)
and as the ``review_session`` cookie (pages). :func:`authenticate` is the one check every request goes through.

Logins and passwords follow :mod:`review_service.contest.credentials` wherever they are set (API, pages, CLI); a sign-in
and the current-password check of a password change go through the back-off of :mod:`review_service.contest.signin_throttle`.
"""
from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from pydantic import BaseModel, ConfigDict, Field

from review_service.contest.credentials import (
    LOGIN_PATTERN,
    MAX_LOGIN,
    MIN_PASSWORD,
    attempted_login,
    check_password,
    normalise_login,
)
from review_service.contest.signin_throttle import Policy, SignInGuard
from review_service.core.domain import Juror
from review_service.core.errors import InputError, Unauthorized
from review_service.storage import Database
from review_service.storage.account_store import PeopleStore
from review_service.storage.say_store import SayStore

ROLES = ("admin", "organizer", "juror")
EMAIL = re.compile(r"[^@\s<>,;\"]+@[^@\s<>,;\"]+\.[^@\s<>,;\"]+")
COOKIE = "review_session"
__all__ = ["COOKIE", "MIN_PASSWORD", "ROLES", "NewAccount", "Principal", "add_user", "authenticate", "change_password",
           "hash_password", "must_change_password", "new_password", "reset_password", "sign_in", "sign_out"]
_hasher = PasswordHasher()  # argon2id, the library's current defaults
_DUMMY = _hasher.hash("not-a-password")  # verified against when the login is unknown (same timing)


@dataclass(frozen=True)
class Principal:
    """The signed-in person: every write names them as its actor."""

    user_id: int
    login: str
    role: str
    juror_id: str | None = None
    name: str = ""

    @property
    def is_staff(self) -> bool:
        return self.role in ("admin", "organizer")


class NewAccount(BaseModel):
    """What a new account needs, as the API's ``POST /users`` and the administrators' page form take it: the
    shape of each field (the password rules proper are :func:`credentials.check_password`'s, in :func:`add_user`)."""

    model_config = ConfigDict(extra="forbid")
    login: str = Field(min_length=1, max_length=MAX_LOGIN, pattern=LOGIN_PATTERN)
    role: Literal["admin", "organizer", "juror"]
    juror_id: str | None = Field(default=None, max_length=64)
    name: str = Field(default="", max_length=200)
    password: str = Field(min_length=MIN_PASSWORD, max_length=200)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def hash_password(password: str, *, login: str = "", name: str = "") -> str:
    """The argon2 hash of a password that follows the rules (``credentials.check_password``; a
    ``CredentialError`` otherwise)."""
    check_password(password, login=login, name=name)
    return _hasher.hash(password)


def new_password() -> str:
    """A one-time password for a new or reset account (~100 bits; drawn again in the rare case a rule refuses it)."""
    while True:
        password = secrets.token_urlsafe(12)
        try:
            check_password(password)
        except InputError:
            continue
        return password


def add_user(db: Database, *, login: str, role: str, password: str, actor: str, juror_id: str | None = None,
             name: str = "") -> dict:
    login = normalise_login(login)
    if role not in ROLES:
        raise InputError(f"unknown role {role!r}", hint=f"use one of: {', '.join(ROLES)}")
    if role == "juror" and not juror_id:
        raise InputError("a juror account needs --juror JUROR_ID (the id in the jurors file)")
    if role != "juror" and juror_id:
        raise InputError("only a juror account is linked to a juror profile")
    return PeopleStore(db).add_user(login=login, name=name or login, role=role, juror_id=juror_id,
                                    password_hash=hash_password(password, login=login, name=name), actor=actor)


def register_jury(db: Database, jurors: Sequence[Juror], actor: str) -> int:
    """The jury's roster gains (or updates) these juror profiles; a juror account must link to one of them.
    Returns how many are new."""
    return PeopleStore(db).save_jury([{"id": j.id, "name": j.name, "organization": j.organization,
                                       "region": j.region, "languages": list(j.languages)} for j in jurors], actor)


def _verified(user: dict | None, password: str) -> bool:
    try:
        return _hasher.verify(user["password_hash"] if user else _DUMMY, password) and user is not None
    except (VerificationError, InvalidHashError):
        return False


def sign_in(db: Database, login: str, password: str, *, hours: float, client: str = "",
            policy: Policy | None = None) -> str:
    """A new session token for the right login and password; Unauthorized otherwise (one message for all);
    TooManyAttempts (429) while the account or the ``client`` address waits (:mod:`review_service.contest.signin_throttle`)."""
    store = PeopleStore(db)
    login = attempted_login(login)
    user = store.user(login)
    subject = f"user:{login}" if user else "signin:unknown"
    guard = SignInGuard(db, policy)
    guard.check(login, client, subject)
    right = _verified(user, password)
    if user is None or not right or user["disabled"]:
        reason = "unknown_user" if user is None else "wrong_password" if not right else "disabled"
        guard.failed(login, client, reason, subject)
        raise Unauthorized("wrong login or password, or the account is disabled",
                           hint="ask an organizer to reset your password")
    guard.succeeded(login)
    if _hasher.check_needs_rehash(user["password_hash"]):
        store.rehash(user["id"], _hasher.hash(password))
    token = secrets.token_urlsafe(32)
    expires = datetime.now(UTC) + timedelta(hours=hours)
    store.add_session(user, token_digest(token), expires.isoformat(timespec="seconds"))
    return token


def authenticate(db: Database, token: str | None) -> Principal:
    """The person a token belongs to; Unauthorized when it is missing, unknown, expired, revoked or disabled."""
    if not token:
        raise Unauthorized("sign in first: send Authorization: Bearer <token> (POST /auth/token gives one)")
    row = PeopleStore(db).session_user(token_digest(token))
    if row is None or row["revoked_at"] is not None:
        raise Unauthorized("this session is unknown or was signed out", hint="sign in again: POST /auth/token")
    if datetime.fromisoformat(row["expires_at"]) <= datetime.now(UTC):
        raise Unauthorized("this session has expired", hint="sign in again: POST /auth/token")
    if row["disabled"]:
        raise Unauthorized("this account is disabled", hint="ask an administrator")
    return Principal(user_id=int(row["id"]), login=row["login"], role=row["role"], juror_id=row["juror_id"],
                     name=row["name"])


def sign_out(db: Database, token: str, principal: Principal) -> bool:
    return PeopleStore(db).revoke_session(token_digest(token), principal.login)


def reset_password(db: Database, login: str, password: str, actor: str) -> None:
    """A new (temporary) password set by someone else (an admin, the CLI): every session of the account ends;
    audited as ``password_reset`` by ``actor``, without the password."""
    user = PeopleStore(db).user(login)
    PeopleStore(db).set_password(login, hash_password(password, login=login, name=user["name"] if user else ""),
                                 actor)


def change_password(db: Database, who: Principal, current: str, new: str, token: str, *, client: str = "",
                    policy: Policy | None = None) -> None:
    """A signed-in person's own new password: ``current`` must be right (Unauthorized otherwise; the same
    back-off as a sign-in, TooManyAttempts while it waits), ``new`` follow the rules of every password
    (:func:`hash_password`). The person's other sessions end; the one holding ``token`` goes on. Audited as
    ``password_changed``, without either password."""
    store = PeopleStore(db)
    user = store.user(who.login)
    guard = SignInGuard(db, policy)
    guard.check(who.login, client, f"user:{who.login}")
    if not _verified(user, current):
        guard.failed(who.login, client, "wrong_current_password", f"user:{who.login}")
        raise Unauthorized("the current password is wrong")
    guard.succeeded(who.login)
    store.set_password(who.login, hash_password(new, login=who.login, name=who.name), who.login,
                       action="password_changed", keep_session=token_digest(token))


def remember_language(db: Database, login: str, lang: str) -> None:
    """The interface language ``login`` signed in with: what their reminders are written in."""
    SayStore(db).set_lang(attempted_login(login), lang)


def set_email(db: Database, login: str, email: str, actor: str) -> None:
    """Where ``login``'s reminders go (empty: nowhere); a plain shape check, audited as ``user_email_set``."""
    email = email.strip()
    if email and (len(email) > 254 or not EMAIL.fullmatch(email)):
        raise InputError(f"{email!r} is not an e-mail address", code="bad_email")
    SayStore(db).set_email(normalise_login(login), email, actor)


def must_change_password(db: Database, login: str) -> bool:
    """True while the account's password is one someone else set (a reset) and its owner has not changed it."""
    last = PeopleStore(db).last_password_event(login)
    return bool(last and last["action"] == "password_reset" and last["actor"] != login)
