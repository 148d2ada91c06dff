"""Organizer pages, part two: the assignment table (pin, forbid, remove, re-solve, publish, with explanations and
loads), results with decisions and CSV/XLSX downloads, the audit view, themes, search of past projects, users and
the rubric. The same modules as the API routes (``assignments``, ``scoring``, the search engine, the people
store) under the same permissions."""
from __future__ import annotations

from collections import Counter
from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from review_service.contest import assignments, permissions, scoring
from review_service.core.errors import ReviewError
from review_service.storage.jury_store import JuryStore

from . import org_edit
from .render import marked as _
from .render import page
from .session import Csrf, page_user

router = APIRouter(prefix="/org", include_in_schema=False)
CsrfOk = Annotated[None, Csrf]
ASSIGNMENT_ERRORS = {"stale_assignment": _("Someone changed the draft meanwhile; it is shown as it is now."),
                     "conflict_of_interest": _("That juror has a conflict of interest with this entry."),
                     "forbidden_pair": _("That juror is forbidden on this entry."),
                     "no_matrix": _("This draft cannot be solved again (no affinities)."),
                     "infeasible": _("No assignment satisfies these pins and forbids.")}


def _titles(db) -> dict[str, str]:
    return {r["entry_id"]: (r.get("form") or {}).get("project_title") or r["file_name"] for r in db.submissions()}


@router.get("/assignment", response_class=HTMLResponse)
def assignment_page(request: Request, who: page_user("assignment.manage")) -> HTMLResponse:
    db = request.app.state.db
    try:
        draft = assignments.current_draft(db)
    except ReviewError:
        draft = None
    loads = Counter(r["juror"] for e in (draft or {"payload": {"entries": {}}})["payload"]["entries"].values()
                    for r in e["jurors"])
    jurors = sorted(set(loads) | set(((draft or {}).get("payload", {}).get("matrix") or {}).get("jurors", [])))
    code = request.query_params.get("error", "")
    return page(request, "web/org/assignment.html", draft=draft, published=assignments.published(db),
                titles=_titles(db), loads=loads, jurors=jurors,
                error=ASSIGNMENT_ERRORS.get(code, _("Not done: %(detail)s") if code else ""),
                detail=request.query_params.get("detail", ""))


def _back(exc: ReviewError | None = None) -> RedirectResponse:
    if exc is None:
        return RedirectResponse("/org/assignment", status_code=303)
    from urllib.parse import urlencode

    return RedirectResponse("/org/assignment?" + urlencode({"error": exc.code, "detail": exc.message}),
                            status_code=303)


@router.post("/assignment/edit")
def edit(request: Request, who: page_user("assignment.manage"), _csrf: CsrfOk,
         op: Annotated[str, Form(pattern="^(pin|forbid|remove)$")], juror: Annotated[str, Form(max_length=100)],
         entry: Annotated[str, Form(max_length=200)], expect_version: Annotated[int, Form()]) -> RedirectResponse:
    try:
        assignments.edit_draft(request.app.state.db, [assignments.Edit(op=op, juror=juror, entry=entry)], who,
                               expect_version=expect_version)
    except ReviewError as exc:
        return _back(exc)
    return _back()


@router.post("/assignment/resolve")
def resolve(request: Request, who: page_user("assignment.manage"), _csrf: CsrfOk,
            expect_version: Annotated[int, Form()]) -> RedirectResponse:
    try:
        assignments.resolve_draft(request.app.state.db, who, expect_version=expect_version)
    except ReviewError as exc:
        return _back(exc)
    return _back()


@router.post("/assignment/publish")
def publish(request: Request, who: page_user("assignment.manage"), _csrf: CsrfOk,
            expect_version: Annotated[int, Form()],
            note: Annotated[str, Form(max_length=500)] = "") -> RedirectResponse:
    try:
        assignments.publish(request.app.state.db, who, expect_version=expect_version, note=note)
    except ReviewError as exc:
        return _back(exc)
    return _back()


@router.get("/results", response_class=HTMLResponse)
def results_page(request: Request, who: page_user("results.read")) -> HTMLResponse:
    db, settings = request.app.state.db, request.app.state.settings
    decided = scoring.current_decisions(db)
    rows = [{"r": r, "decisions": {k: d["value"] for k, d in decided.get(r.entry_id, {}).items()}}
            for r in scoring.results(db, settings.disagreement)]
    rows.sort(key=lambda x: (x["r"].rank_z is None, x["r"].rank_z or 0))
    return page(request, "web/org/results.html", rows=rows, titles=_titles(db),
                error=request.query_params.get("error", ""))


@router.post("/decisions")
def decide(request: Request, who: page_user("decisions.write"), _csrf: CsrfOk,
           entry: Annotated[str, Form(max_length=200)], kind: Annotated[str, Form(max_length=20)],
           value: Annotated[str, Form(max_length=20)],
           reason: Annotated[str, Form(max_length=2000)] = "") -> RedirectResponse:
    try:
        eid, _record = permissions.entry_for(request.app.state.db, who, entry, "decisions.write")
        scoring.record_decision(request.app.state.db, entry_id=eid, kind=kind, value=value, reason=reason,
                                actor=who)
    except ReviewError:
        return RedirectResponse("/org/results?error=decision", status_code=303)
    return RedirectResponse("/org/results", status_code=303)


@router.get("/decisions", response_class=HTMLResponse)
def decisions_page(request: Request, who: page_user("decisions.read")) -> HTMLResponse:
    db = request.app.state.db
    return page(request, "web/org/decisions.html", decisions=JuryStore(db).decisions()[::-1], titles=_titles(db))


@router.get("/audit", response_class=HTMLResponse)
def audit_page(request: Request, who: page_user("audit.read"),
               offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0) -> HTMLResponse:
    db = request.app.state.db
    rows, total = db.audit_page(offset=offset, limit=50)
    return page(request, "web/org/audit.html", rows=rows, total=total, offset=offset, chain=db.verify_audit())


@router.get("/search", response_class=HTMLResponse)
def search_page(request: Request, who: page_user("search"), q: Annotated[str, Query(max_length=1000)] = "",
                like: Annotated[str, Query(max_length=200)] = "",
                year: Annotated[str, Query(max_length=10)] = "",
                lang: Annotated[str, Query(max_length=5, alias="in")] = "") -> HTMLResponse:
    """Past projects: a question (with year and language filters) or more like one project."""
    found, error = None, ""
    filters = {k: [v] for k, v in (("year", year), ("lang", lang)) if v}
    try:
        if like:
            found = request.app.state.search_engine().more_like_this(like, k=10).to_dict()
        elif q.strip():
            found = request.app.state.search_engine().search(q, k=10, filters=filters).to_dict()
    except ReviewError as exc:
        error = exc.message
    return page(request, "web/org/search.html", q=q, like=like, year=year, in_lang=lang, found=found, error=error)


@router.get("/users", response_class=HTMLResponse)
def users_page(request: Request, who: page_user("users.read")) -> HTMLResponse:
    return org_edit.users_page(request, who)


@router.get("/rubric", response_class=HTMLResponse)
def rubric_page(request: Request, who: page_user("rubric.read")) -> HTMLResponse:
    """The current rubric; for organizers, the form of a new version (its criteria as rows)."""
    return org_edit.rubric_page(request, who)


def _themes_map(request: Request):
    """The 2-D map the themes stage drew for the latest batch with themes (in that job's report folder)."""
    from review_service.batches.job_runner import report_dir
    from review_service.storage.job_store import JobStore

    found = request.app.state.db.latest_ai_result("themes")
    if not found or not (found.get("provenance") or {}).get("map"):
        return None
    job = next((j for j in JobStore(request.app.state.db).list() if j["batch_id"] == found.get("batch_id")), None)
    path = report_dir(request.app.state.settings, job["id"]) / "themes.png" if job else None
    return path if path is not None and path.is_file() else None


@router.get("/themes", response_class=HTMLResponse)
def themes_page(request: Request, who: page_user("drafts.read")) -> HTMLResponse:
    db = request.app.state.db
    found = db.latest_ai_result("themes")
    groups: dict[int, list[dict]] = {}
    for row in (found or {}).get("payload") or []:
        groups.setdefault(int(row["theme"]), []).append(row)
    return page(request, "web/org/themes.html", themes=sorted(groups.items()), titles=_titles(db),
                has_map=_themes_map(request) is not None)


@router.get("/themes/map.png")
def themes_map(request: Request, who: page_user("drafts.read")):
    from fastapi.responses import FileResponse

    from .session import PageError

    path = _themes_map(request)
    if path is None:
        raise PageError(404, "not_found")
    return FileResponse(path, media_type="image/png")
