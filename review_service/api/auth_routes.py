"""Sign-in, sign-out, who am I, and user accounts (admins)."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response
from fastapi.security import OAuth2PasswordRequestForm

from review_service.contest import accounts as people
from review_service.contest.accounts import Principal
from review_service.contest.signin_throttle import Policy
from review_service.server.deps import ClientDep, DbDep, PagingDep, SettingsDep, TokenDep, user

from .account_schemas import Me, SignedOut, Token, UserIn, UserOut
from .schemas import Page

auth = APIRouter(prefix="/auth", tags=["sign-in"])

users = APIRouter(prefix="/users", tags=["users"])


@auth.post("/token", response_model=Token)
def sign_in(form: Annotated[OAuth2PasswordRequestForm, Depends()], response: Response, db: DbDep,
            settings: SettingsDep, client: ClientDep) -> dict:
    """The OAuth2 password form (``username``, ``password``) → a bearer token; also set as the HttpOnly
    ``review_session`` cookie (SameSite=Lax) for pages. After repeated wrong passwords on the account or from the
    client: 429 with ``Retry-After`` (``too_many_attempts``), even for the right password, until the wait ends."""
    token = people.sign_in(db, form.username, form.password, hours=settings.session_hours,
                           client=client, policy=Policy.from_settings(settings))
    seconds = int(settings.session_hours * 3600)
    response.set_cookie(people.COOKIE, token, max_age=seconds, httponly=True, samesite="lax",
                        secure=bool(settings.cookie_secure))
    return {"access_token": token, "token_type": "bearer", "expires_in": seconds}


@auth.post("/logout", response_model=SignedOut)
def sign_out(response: Response, db: DbDep, token: TokenDep, who: Annotated[Principal, user("me")]) -> dict:
    """Revoke this session's token (and drop the cookie)."""
    revoked = people.sign_out(db, token or "", who)
    response.delete_cookie(people.COOKIE)
    return {"revoked": revoked}


@auth.get("/me", response_model=Me)
def me(settings: SettingsDep, who: Annotated[Principal, user("me")]) -> dict:
    return {"login": who.login, "name": who.name, "role": who.role, "juror_id": who.juror_id,
            "blind_review": settings.blind_review and who.role == "juror"}


@users.get("", response_model=Page[UserOut])
def list_users(db: DbDep, page: PagingDep, who: Annotated[Principal, user("users.read")],
               role: Annotated[str | None, Query(pattern="^(admin|organizer|juror)$")] = None) -> dict:
    from review_service.storage.account_store import PeopleStore

    offset, limit = page
    items, total = PeopleStore(db).users(role=role, offset=offset, limit=limit)
    return {"items": items, "total": total, "offset": offset, "limit": limit}


@users.post("", response_model=UserOut, status_code=201)
def add_user(body: UserIn, db: DbDep, who: Annotated[Principal, user("users.manage")]) -> dict:
    return people.add_user(db, login=body.login, role=body.role, password=body.password, actor=who.login,
                           juror_id=body.juror_id, name=body.name)


@users.post("/{login}/disable", response_model=UserOut)
def disable_user(login: str, db: DbDep, who: Annotated[Principal, user("users.manage")]) -> dict:
    """Disable an account; its sessions end at once."""
    from review_service.storage.account_store import PeopleStore

    return PeopleStore(db).set_disabled(login, True, who.login)


@users.post("/{login}/enable", response_model=UserOut)
def enable_user(login: str, db: DbDep, who: Annotated[Principal, user("users.manage")]) -> dict:
    """Enable a disabled account again (its ended sessions stay ended: the person signs in anew)."""
    from review_service.storage.account_store import PeopleStore

    return PeopleStore(db).set_disabled(login, False, who.login)
