"""Organizer pages: people — the accounts list (``users.read``) and an administrator's forms (``users.manage``):
add an account, set a temporary password, disable or enable an account.

Each goes through the same module as its API route (``people.add_user`` with the API's input rules
``people.NewAccount``, ``people.reset_password``, ``PeopleStore.set_disabled``); refusals are shown on the form in
the interface language."""
from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import ValidationError

from review_service.contest import accounts as people
from review_service.contest import permissions
from review_service.contest.accounts import Principal
from review_service.contest.credentials import CredentialError
from review_service.core.errors import ReviewError
from review_service.server.deps import CsrfDep, DbDep, page_user
from review_service.server.page_errors import PageError
from review_service.storage import Database
from review_service.storage.account_store import PeopleStore

from .account import password_problem
from .form_problems import FIELDS, PROBLEMS, form_problems
from .render import marked as _
from .render import page

router = APIRouter(prefix="/org", include_in_schema=False)
Admin = Annotated[Principal, page_user("users.manage")]


def render_users(request: Request, db: Database, who: Principal, *, errors: list[dict] | None = None,
                 values: dict | None = None, reset_errors: list[dict] | None = None, reset_login: str = "",
                 status_code: int = 200) -> HTMLResponse:
    items, _total = PeopleStore(db).users()
    return page(request, "web/org/users.html", status_code=status_code, users=items,
                can_manage=permissions.allowed(who, "users.manage"), errors=errors or [],
                values=values or {"role": "juror"}, notice=request.query_params.get("notice", ""),
                reset_errors=reset_errors or [], reset_login=reset_login, min_length=people.MIN_PASSWORD)


@router.get("/users", response_class=HTMLResponse)
def users_page(request: Request, db: DbDep, who: Annotated[Principal, page_user("users.read")]) -> HTMLResponse:
    return render_users(request, db, who)


@router.post("/users", response_class=HTMLResponse)
def add_user(request: Request, db: DbDep, who: Admin, _csrf: CsrfDep,
             login: Annotated[str, Form(max_length=200)] = "", role: Annotated[str, Form(max_length=20)] = "",
             juror_id: Annotated[str, Form(max_length=200)] = "", name: Annotated[str, Form(max_length=400)] = "",
             password: Annotated[str, Form(max_length=400)] = ""):
    """A new account: the API's checks (``people.NewAccount``), then ``people.add_user`` (as ``POST /users``)."""
    values: dict[str, Any] = {"login": login.strip(), "role": role, "juror_id": juror_id.strip(),
                              "name": name.strip()}
    errors: list[dict] = []
    body: people.NewAccount | None
    try:
        body = people.NewAccount.model_validate({"login": values["login"], "role": role,
                                                 "juror_id": values["juror_id"] or None, "name": values["name"],
                                                 "password": password})
    except ValidationError as exc:
        body = None
        errors = form_problems(exc, lambda f: f"user-{f or 'login'}".replace("_", "-"))
        for e in errors:
            if e["field"] == FIELDS["password"] and e["problem"] == PROBLEMS["string_too_short"]:
                e["problem"] = _("at least 8 characters")
    if body is not None:
        if body.role == "juror" and not body.juror_id:
            errors.append({"anchor": "user-juror-id", "field": FIELDS["juror_id"], "params": {},
                           "problem": _("a juror account needs the juror's id (from the jurors file)")})
        elif body.role != "juror" and body.juror_id:
            errors.append({"anchor": "user-juror-id", "field": FIELDS["juror_id"], "params": {},
                           "problem": _("only a juror account has a juror id")})
        elif PeopleStore(db).user(body.login) is not None:
            errors.append({"anchor": "user-login", "field": FIELDS["login"], "params": {},
                           "problem": _("this login is taken")})
    if not errors and body is not None:
        try:
            people.add_user(db, login=body.login, role=body.role, password=body.password, actor=who.login,
                            juror_id=body.juror_id, name=body.name)
        except CredentialError as exc:
            problem, params = password_problem(exc)  # the form's own ``values`` stay as typed
            field = "login" if exc.code.startswith("login") else "password"
            errors.append({"anchor": f"user-{field}", "field": FIELDS[field], "problem": problem, "params": params})
        except ReviewError as exc:
            known = {"unknown_juror": _("no such juror in the jury: import the jurors file first"),
                     "juror_taken": _("this juror already has an account")}
            if exc.code in known:
                errors.append({"anchor": "user-juror-id", "field": FIELDS["juror_id"], "params": {},
                               "problem": known[exc.code]})
            else:
                errors.append({"anchor": "", "field": "", "problem": _("Not added: %(detail)s"),
                               "params": {"detail": exc.message}})
    if errors:
        return render_users(request, db, who, errors=errors, values=values, status_code=422)
    return RedirectResponse("/org/users?notice=added", status_code=303)


@router.post("/users/password", response_class=HTMLResponse)
def temporary_password(request: Request, db: DbDep, who: Admin, _csrf: CsrfDep,
                       login: Annotated[str, Form(max_length=200)] = "",
                       password: Annotated[str, Form(max_length=1000)] = ""):
    """An administrator sets a temporary password (as ``review-service users reset-password``): the account's
    sessions end, the audit trail names the administrator (never the password), and the owner's next sign-in
    leads to the password form (``people.must_change_password``)."""
    errors: list[dict] = []
    if PeopleStore(db).user(login) is None:
        errors.append({"anchor": "reset-login", "field": FIELDS["login"], "params": {},
                       "problem": _("there is no such account")})
    elif len(password) < people.MIN_PASSWORD:
        errors.append({"anchor": "reset-password", "field": FIELDS["password"], "params": {"n": people.MIN_PASSWORD},
                       "problem": _("at least %(n)s characters")})
    if not errors:
        try:
            people.reset_password(db, login, password, who.login)
        except CredentialError as exc:
            problem, values = password_problem(exc)
            errors.append({"anchor": "reset-password", "field": FIELDS["password"], "problem": problem,
                           "params": values})
        except ReviewError as exc:
            errors.append({"anchor": "", "field": "", "problem": _("Not changed: %(detail)s"),
                           "params": {"detail": exc.message}})
    if errors:
        return render_users(request, db, who, reset_errors=errors, reset_login=login, status_code=422)
    return RedirectResponse("/org/users?notice=password", status_code=303)


def _set_disabled(db: Database, who: Principal, login: str, disabled: bool) -> RedirectResponse:
    try:
        PeopleStore(db).set_disabled(login, disabled, who.login)
    except ReviewError as exc:
        raise PageError(404, "not_found") from exc
    return RedirectResponse("/org/users?notice=" + ("disabled" if disabled else "enabled"), status_code=303)


@router.post("/users/{login}/disable")
def disable_user(login: str, db: DbDep, who: Admin, _csrf: CsrfDep):
    """As ``POST /users/{login}/disable``: the account's sessions end at once."""
    return _set_disabled(db, who, login, True)


@router.post("/users/{login}/enable")
def enable_user(login: str, db: DbDep, who: Admin, _csrf: CsrfDep):
    return _set_disabled(db, who, login, False)
