"""Organizer pages, part three: the writes the API offers beyond part two: a new rubric version (a form of
criterion rows), user accounts (add, disable, enable, set a temporary password: admins, as ``users.manage``),
reopening a submitted review with a reason, and eligibility / award-place decisions on an entry's page.

Each goes through the same module and permission as its API route (``scoring.publish_rubric``,
``people.add_user``, ``PeopleStore.set_disabled``, ``scoring.reopen_review``, ``scoring.record_decision``, each
entry through ``permissions.entry_for``); validation errors are shown on the form in the interface language."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import ValidationError

from review_service.api.schemas import UserIn
from review_service.contest import accounts as people
from review_service.contest import permissions, scoring
from review_service.contest.credentials import CredentialError
from review_service.core.errors import ReviewError
from review_service.storage.account_store import PeopleStore
from review_service.storage.jury_store import JuryStore

from .account import password_problem
from .render import marked as _
from .render import page
from .session import Csrf, PageError, page_user

router = APIRouter(prefix="/org", include_in_schema=False)
CsrfOk = Annotated[None, Csrf]
MAX_ROWS = 50
FIELDS = {"id": _("identifier"), "name": _("name"), "description": _("description"), "weight": _("weight"),
          "min": _("minimum"), "max": _("maximum"), "step": _("step"), "comment_required": _("comment"),
          "login": _("login"), "role": _("role"), "juror_id": _("juror id"), "password": _("password")}
PROBLEMS = {"missing": _("required"), "string_too_short": _("required"), "float_parsing": _("a number is needed"),
            "float_type": _("a number is needed"), "finite_number": _("a number is needed"),
            "greater_than": _("must be greater than %(gt)s"), "less_than_equal": _("must be at most %(le)s"),
            "string_too_long": _("too long (at most %(max_length)s characters)"),
            "literal_error": _("choose one of the offered values")}
PATTERNS = {"id": _("lowercase Latin letters, digits and _ only"),
            "login": _("one word: Latin letters, digits and . _ @ - only")}
RULE_PROBLEMS = (("needs a name", "name", _("a name is needed in Kazakh, Russian and English")),
                 ("min must be below max", "min", _("the minimum must be below the maximum")),
                 ("whole number of steps", "max", _("the maximum must be the minimum plus a whole number of steps")))


def _problems(exc: ValidationError, anchor) -> list[dict]:
    """A pydantic error → translatable messages: which field (anchor for the link), what is wrong."""
    out = []
    for err in exc.errors():
        field = str(err["loc"][0]) if err["loc"] else ""
        ctx = {k: v for k, v in (err.get("ctx") or {}).items() if isinstance(v, int | float | str)}
        problem = PROBLEMS.get(err["type"], _("not valid"))
        if err["type"] == "string_pattern_mismatch":
            problem = PATTERNS.get(field, _("not valid"))
        if err["type"] == "value_error":
            msg = str(err.get("msg", ""))
            field, problem = next(((f, p) for text, f, p in RULE_PROBLEMS if text in msg), (field, _("not valid")))
        out.append({"anchor": anchor(field), "field": FIELDS.get(field, ""), "problem": problem, "params": ctx})
    return out


# -- the rubric -------------------------------------------------------------------------------------------------
def _blank() -> dict:
    return {"id": "", "name": dict.fromkeys(scoring.LANGS, ""), "description": dict.fromkeys(scoring.LANGS, ""),
            "weight": "1", "min": "0", "max": "10", "step": "1", "comment_required": False}


def rubric_rows(request: Request) -> list[dict]:
    """The rows the form starts with: the current rubric's criteria (or one blank row)."""
    rubric = JuryStore(request.app.state.db).rubric()
    rows = [{**_blank(), **c, "name": {**_blank()["name"], **c["name"]},
             "description": {**_blank()["description"], **(c.get("description") or {})}}
            for c in (rubric or {}).get("criteria", [])]
    return rows or [_blank()]


def _number(raw: str) -> str:
    return raw.strip().replace(",", ".").replace("\u00a0", "").replace(" ", "")


def read_rows(form) -> list[dict]:
    """The criterion rows of the form (``c{i}-…`` fields), blank and removed rows left out."""
    try:
        count = min(int(form.get("rows", "0")), MAX_ROWS)
    except ValueError:
        count = 0
    rows = []
    for i in range(count):
        def get(name: str, i: int = i) -> str:
            return str(form.get(f"c{i}-{name}", "")).strip()

        row = {"id": get("id"), "name": {lang: get(f"name-{lang}") for lang in scoring.LANGS},
               "description": {lang: get(f"desc-{lang}") for lang in scoring.LANGS},
               "weight": _number(get("weight")), "min": _number(get("min")), "max": _number(get("max")),
               "step": _number(get("step")), "comment_required": bool(form.get(f"c{i}-comment"))}
        if get("remove") or not (row["id"] or any(row["name"].values())):
            continue
        rows.append(row)
    return rows


def rubric_page(request: Request, who, rows: list[dict] | None = None, errors: list[dict] | None = None,
                status_code: int = 200) -> HTMLResponse:
    rubric = JuryStore(request.app.state.db).rubric()
    can_edit = permissions.allowed(who, "rubric.write")
    return page(request, "web/org/rubric.html", status_code=status_code, rubric=rubric, can_edit=can_edit,
                rows=(rows or rubric_rows(request)) if can_edit else [], langs=scoring.LANGS, errors=errors or [],
                notice=request.query_params.get("notice", ""))


@router.post("/rubric", response_class=HTMLResponse)
async def publish_rubric(request: Request, who: page_user("rubric.write"), _csrf: CsrfOk):
    """``action=add``: the form again with one more blank row; ``action=publish``: a new rubric version."""
    form = await request.form()
    rows = read_rows(form)
    if form.get("action") == "add":
        return rubric_page(request, who, [*rows, _blank()][:MAX_ROWS])
    criteria, errors = [], []
    for n, row in enumerate(rows):
        data = {**row, "description": {k: v for k, v in row["description"].items() if v}}
        try:
            criteria.append(scoring.Criterion.model_validate(data))
        except ValidationError as exc:
            for e in _problems(exc, lambda f, n=n: f"c{n}-{'name-kk' if f == 'name' else f or 'id'}"):
                errors.append({**e, "row": n + 1})
    ids = [c.id for c in criteria]
    if not rows:
        errors.append({"anchor": "c0-id", "row": 0, "field": "", "problem": _("Add at least one criterion."),
                       "params": {}})
    elif len(set(ids)) != len(ids):
        errors.append({"anchor": "", "row": 0, "field": "", "params": {},
                       "problem": _("Each criterion needs its own identifier.")})
    if not errors:
        try:
            scoring.publish_rubric(request.app.state.db, criteria, who)
        except ReviewError as exc:
            errors.append({"anchor": "", "row": 0, "field": "", "problem": _("Not published: %(detail)s"),
                           "params": {"detail": exc.message}})
    if errors:
        return rubric_page(request, who, rows or [_blank()], errors, status_code=422)
    return RedirectResponse("/org/rubric?notice=published", status_code=303)


# -- users --------------------------------------------------------------------------------------------------------
def users_page(request: Request, who, *, errors: list[dict] | None = None, values: dict | None = None,
               reset_errors: list[dict] | None = None, reset_login: str = "", status_code: int = 200) -> HTMLResponse:
    items, _total = PeopleStore(request.app.state.db).users()
    return page(request, "web/org/users.html", status_code=status_code, users=items,
                can_manage=permissions.allowed(who, "users.manage"), errors=errors or [],
                values=values or {"role": "juror"}, notice=request.query_params.get("notice", ""),
                reset_errors=reset_errors or [], reset_login=reset_login, min_length=people.MIN_PASSWORD)


@router.post("/users", response_class=HTMLResponse)
def add_user(request: Request, who: page_user("users.manage"), _csrf: CsrfOk,
             login: Annotated[str, Form(max_length=200)] = "", role: Annotated[str, Form(max_length=20)] = "",
             juror_id: Annotated[str, Form(max_length=200)] = "", name: Annotated[str, Form(max_length=400)] = "",
             password: Annotated[str, Form(max_length=400)] = ""):
    """A new account: the API's ``UserIn`` checks, then ``people.add_user`` (as ``POST /users``)."""
    db = request.app.state.db
    values = {"login": login.strip(), "role": role, "juror_id": juror_id.strip(), "name": name.strip()}
    errors: list[dict] = []
    try:
        body = UserIn(login=values["login"], role=role, juror_id=values["juror_id"] or None, name=values["name"],
                      password=password)
    except ValidationError as exc:
        body = None
        errors = _problems(exc, lambda f: f"user-{f or 'login'}".replace("_", "-"))
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
    if not errors:
        try:
            people.add_user(db, login=body.login, role=body.role, password=body.password, actor=who.login,
                            juror_id=body.juror_id, name=body.name)
        except CredentialError as exc:
            problem, values = password_problem(exc)
            field = "login" if exc.code.startswith("login") else "password"
            errors.append({"anchor": f"user-{field}", "field": FIELDS[field], "problem": problem, "params": values})
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
        return users_page(request, who, errors=errors, values=values, status_code=422)
    return RedirectResponse("/org/users?notice=added", status_code=303)


@router.post("/users/password", response_class=HTMLResponse)
def temporary_password(request: Request, who: page_user("users.manage"), _csrf: CsrfOk,
                       login: Annotated[str, Form(max_length=200)] = "",
                       password: Annotated[str, Form(max_length=1000)] = ""):
    """An administrator sets a temporary password (as ``review-service users reset-password``): the account's
    sessions end, the audit trail names the administrator (never the password), and the owner's next sign-in
    leads to the password form (``people.must_change_password``)."""
    errors: list[dict] = []
    if PeopleStore(request.app.state.db).user(login) is None:
        errors.append({"anchor": "reset-login", "field": FIELDS["login"], "params": {},
                       "problem": _("there is no such account")})
    elif len(password) < people.MIN_PASSWORD:
        errors.append({"anchor": "reset-password", "field": FIELDS["password"], "params": {"n": people.MIN_PASSWORD},
                       "problem": _("at least %(n)s characters")})
    if not errors:
        try:
            people.reset_password(request.app.state.db, login, password, who.login)
        except CredentialError as exc:
            problem, values = password_problem(exc)
            errors.append({"anchor": "reset-password", "field": FIELDS["password"], "problem": problem,
                           "params": values})
        except ReviewError as exc:
            errors.append({"anchor": "", "field": "", "problem": _("Not changed: %(detail)s"),
                           "params": {"detail": exc.message}})
    if errors:
        return users_page(request, who, reset_errors=errors, reset_login=login, status_code=422)
    return RedirectResponse("/org/users?notice=password", status_code=303)


def _set_disabled(request: Request, who, login: str, disabled: bool) -> RedirectResponse:
    try:
        PeopleStore(request.app.state.db).set_disabled(login, disabled, who.login)
    except ReviewError as exc:
        raise PageError(404, "not_found") from exc
    return RedirectResponse("/org/users?notice=" + ("disabled" if disabled else "enabled"), status_code=303)


@router.post("/users/{login}/disable")
def disable_user(login: str, request: Request, who: page_user("users.manage"), _csrf: CsrfOk):
    """As ``POST /users/{login}/disable``: the account's sessions end at once."""
    return _set_disabled(request, who, login, True)


@router.post("/users/{login}/enable")
def enable_user(login: str, request: Request, who: page_user("users.manage"), _csrf: CsrfOk):
    return _set_disabled(request, who, login, False)


# -- reviews and decisions of one entry ----------------------------------------------------------------------------
def _entry(request: Request, who, key: str, action: str) -> str:
    try:
        return permissions.entry_for(request.app.state.db, who, key, action)[0]
    except ReviewError as exc:
        raise PageError(404, "not_found") from exc


@router.post("/entries/{entry_id}/reviews/{juror_id}/reopen")
def reopen_review(entry_id: str, juror_id: str, request: Request, who: page_user("review.reopen"), _csrf: CsrfOk,
                  reason: Annotated[str, Form(max_length=2000)] = "") -> RedirectResponse:
    """As ``POST /entries/{id}/reviews/{juror}/reopen``: the review goes back to draft, the reason audited."""
    eid = _entry(request, who, entry_id, "review.reopen")
    if not reason.strip():
        return RedirectResponse(f"/org/entries/{eid}?error=reason#reviews", status_code=303)
    try:
        scoring.reopen_review(request.app.state.db, eid, juror_id, reason, who)
    except ReviewError:
        return RedirectResponse(f"/org/entries/{eid}?error=reopen#reviews", status_code=303)
    return RedirectResponse(f"/org/entries/{eid}?notice=reopened#reviews", status_code=303)


@router.post("/entries/{entry_id}/decisions")
def decide(entry_id: str, request: Request, who: page_user("decisions.write"), _csrf: CsrfOk,
           kind: Annotated[str, Form(pattern="^(eligibility|finalist|award)$")],
           value: Annotated[str, Form(max_length=20)] = "",
           reason: Annotated[str, Form(max_length=2000)] = "") -> RedirectResponse:
    """As ``POST /entries/{id}/decisions``: eligibility (a not-eligible one with a reason), finalist, award place."""
    eid = _entry(request, who, entry_id, "decisions.write")
    try:
        scoring.record_decision(request.app.state.db, entry_id=eid, kind=kind, value=value, reason=reason,
                                actor=who)
    except ReviewError:
        return RedirectResponse(f"/org/entries/{eid}?error=decision#decisions", status_code=303)
    return RedirectResponse(f"/org/entries/{eid}?notice=decided#decisions", status_code=303)
