"""Organizer pages: the rubric — the current version for every signed-in person (``rubric.read``, as
``GET /rubric``) and, for organizers, the form of a new version, its criteria as rows (``rubric.write``,
``scoring.publish_rubric`` as ``POST /rubric``); errors on the form in the interface language."""
from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import ValidationError

from review_service.contest import permissions, scoring
from review_service.contest.accounts import Principal
from review_service.core.errors import ReviewError
from review_service.server.deps import CsrfDep, DbDep, page_user
from review_service.storage import Database
from review_service.storage.jury_store import JuryStore

from .form_problems import form_problems
from .render import marked as _
from .render import page

router = APIRouter(prefix="/org", include_in_schema=False)
MAX_ROWS = 50


def _blank() -> dict[str, Any]:
    return {"id": "", "name": dict.fromkeys(scoring.LANGS, ""), "description": dict.fromkeys(scoring.LANGS, ""),
            "weight": "1", "min": "0", "max": "10", "step": "1", "comment_required": False}


def rubric_rows(db: Database) -> list[dict[str, Any]]:
    """The rows the form starts with: the current rubric's criteria (or one blank row)."""
    rubric = JuryStore(db).rubric()
    rows = [{**_blank(), **c, "name": {**_blank()["name"], **c["name"]},
             "description": {**_blank()["description"], **(c.get("description") or {})}}
            for c in (rubric or {}).get("criteria", [])]
    return rows or [_blank()]


def _number(raw: str) -> str:
    return raw.strip().replace(",", ".").replace("\u00a0", "").replace(" ", "")


def read_rows(form: Any) -> list[dict[str, Any]]:
    """The criterion rows of the form (``c{i}-…`` fields), blank and removed rows left out."""
    try:
        count = min(int(form.get("rows", "0")), MAX_ROWS)
    except ValueError:
        count = 0
    rows = []
    for i in range(count):
        def get(name: str, i: int = i) -> str:
            return str(form.get(f"c{i}-{name}", "")).strip()

        row: dict[str, Any] = {
            "id": get("id"), "name": {lang: get(f"name-{lang}") for lang in scoring.LANGS},
            "description": {lang: get(f"desc-{lang}") for lang in scoring.LANGS},
            "weight": _number(get("weight")), "min": _number(get("min")), "max": _number(get("max")),
            "step": _number(get("step")), "comment_required": bool(form.get(f"c{i}-comment"))}
        if get("remove") or not (row["id"] or any(row["name"].values())):
            continue
        rows.append(row)
    return rows


def render_rubric(request: Request, db: Database, who: Principal, rows: list[dict] | None = None,
                  errors: list[dict] | None = None, status_code: int = 200) -> HTMLResponse:
    rubric = JuryStore(db).rubric()
    can_edit = permissions.allowed(who, "rubric.write")
    return page(request, "web/org/rubric.html", status_code=status_code, rubric=rubric, can_edit=can_edit,
                rows=(rows or rubric_rows(db)) if can_edit else [], langs=scoring.LANGS, errors=errors or [],
                notice=request.query_params.get("notice", ""))


@router.get("/rubric", response_class=HTMLResponse)
def rubric_page(request: Request, db: DbDep, who: Annotated[Principal, page_user("rubric.read")]) -> HTMLResponse:
    """The current rubric; for organizers, the form of a new version (its criteria as rows)."""
    return render_rubric(request, db, who)


@router.post("/rubric", response_class=HTMLResponse)
async def publish_rubric(request: Request, db: DbDep, who: Annotated[Principal, page_user("rubric.write")],
                         _csrf: CsrfDep):
    """``action=add``: the form again with one more blank row; ``action=publish``: a new rubric version."""
    form = await request.form()
    rows = read_rows(form)
    if form.get("action") == "add":
        return render_rubric(request, db, who, [*rows, _blank()][:MAX_ROWS])
    criteria, errors = [], []
    for n, row in enumerate(rows):
        data = {**row, "description": {k: v for k, v in row["description"].items() if v}}
        try:
            criteria.append(scoring.Criterion.model_validate(data))
        except ValidationError as exc:
            def anchor(field: str, n: int = n) -> str:
                return f"c{n}-{'name-kk' if field == 'name' else field or 'id'}"

            for e in form_problems(exc, anchor):
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
            scoring.publish_rubric(db, criteria, who)
        except ReviewError as exc:
            errors.append({"anchor": "", "row": 0, "field": "", "problem": _("Not published: %(detail)s"),
                           "params": {"detail": exc.message}})
    if errors:
        return render_rubric(request, db, who, rows or [_blank()], errors, status_code=422)
    return RedirectResponse("/org/rubric?notice=published", status_code=303)
