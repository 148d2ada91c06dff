"""Organizer pages: the assignment table — one row an entry, its jurors by name (from the jury's roster) with their
affinity, and why the AI suggested each a click away; loads; pin, forbid, remove (in the entry's row), re-solve
and publish, each through :mod:`review_service.contest.assignments` under ``assignment.manage`` (as the
``/assignments`` API routes), against the version the page showed.

Every form works as a plain POST that comes back to its place (``#row-{entry}`` or ``#draft-actions``);
``static/assignment.js`` sends it with ``fetch`` instead and swaps the table in place, so the page keeps its
scroll position."""
from __future__ import annotations

from collections import Counter
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from review_service.contest import assignments, declarations
from review_service.contest.accounts import Principal
from review_service.core.errors import ReviewError
from review_service.server.deps import CsrfDep, DbDep, page_user

from .render import marked as _
from .render import page
from .views import REASON_LABELS, entry_titles, juror_names

router = APIRouter(prefix="/org", include_in_schema=False)
Manager = Annotated[Principal, page_user("assignment.manage")]
ASSIGNMENT_ERRORS = {"stale_assignment": _("Someone changed the draft meanwhile; it is shown as it is now."),
                     "conflict_of_interest": _("That juror has a conflict of interest with this entry."),
                     "forbidden_pair": _("That juror is forbidden on this entry."),
                     "no_matrix": _("This draft cannot be solved again (no affinities)."),
                     "infeasible": _("No assignment satisfies these pins and forbids.")}


@router.get("/assignment", response_class=HTMLResponse)
def assignment_page(request: Request, db: DbDep, who: Manager) -> HTMLResponse:
    try:
        draft = assignments.current_draft(db)
    except ReviewError:
        draft = None
    loads = Counter(r["juror"] for e in (draft or {"payload": {"entries": {}}})["payload"]["entries"].values()
                    for r in e["jurors"])
    jurors = sorted(set(loads) | set(((draft or {}).get("payload", {}).get("matrix") or {}).get("jurors", [])))
    names = juror_names(db)
    forbids: dict[str, list[str]] = {}
    for pair in (draft or {}).get("payload", {}).get("forbids", []):  # "JUROR:ENTRY"
        juror, _sep, entry = str(pair).rpartition(":")
        forbids.setdefault(entry, []).append(juror)
    code = request.query_params.get("error", "")
    return page(request, "web/org/assignment.html", draft=draft, published=assignments.published(db),
                titles=entry_titles(db), loads=loads, jurors=sorted(jurors, key=lambda j: names.get(j, j)),
                names=names, forbids=forbids, declared=declarations.replacements(db, draft),
                reason_labels=REASON_LABELS,
                error=ASSIGNMENT_ERRORS.get(code, _("Not done: %(detail)s") if code else ""),
                detail=request.query_params.get("detail", ""), error_entry=request.query_params.get("entry", ""),
                changed=request.query_params.get("changed", ""))


def _back(place: str, exc: ReviewError | None = None, entry: str = "") -> RedirectResponse:
    """Back to the page at ``place`` (the edited row, or the draft's actions), with the refusal if any."""
    query = {"changed": entry} if exc is None and entry else {}
    if exc is not None:
        query = {"error": exc.code, "detail": exc.message, **({"entry": entry} if entry else {})}
    return RedirectResponse("/org/assignment" + (f"?{urlencode(query)}" if query else "") + f"#{place}",
                            status_code=303)


@router.post("/assignment/edit")
def edit(db: DbDep, who: Manager, _csrf: CsrfDep,
         op: Annotated[str, Form(pattern="^(pin|forbid|remove)$")], juror: Annotated[str, Form(max_length=100)],
         entry: Annotated[str, Form(max_length=200)], expect_version: Annotated[int, Form()]) -> RedirectResponse:
    place = f"row-{entry}"
    try:
        edit_ = assignments.Edit.model_validate({"op": op, "juror": juror, "entry": entry})
        assignments.edit_draft(db, [edit_], who, expect_version=expect_version)
    except ReviewError as exc:
        return _back(place, exc, entry)
    return _back(place, entry=entry)


@router.post("/assignment/resolve")
def resolve(db: DbDep, who: Manager, _csrf: CsrfDep, expect_version: Annotated[int, Form()]) -> RedirectResponse:
    try:
        assignments.resolve_draft(db, who, expect_version=expect_version)
    except ReviewError as exc:
        return _back("draft-actions", exc)
    return _back("draft-actions")


@router.post("/assignment/publish")
def publish(db: DbDep, who: Manager, _csrf: CsrfDep, expect_version: Annotated[int, Form()],
            note: Annotated[str, Form(max_length=500)] = "") -> RedirectResponse:
    try:
        assignments.publish(db, who, expect_version=expect_version, note=note)
    except ReviewError as exc:
        return _back("draft-actions", exc)
    return _back("draft-actions")


@router.post("/assignment/replace")
def replace(db: DbDep, who: Manager, _csrf: CsrfDep, juror: Annotated[str, Form(max_length=100)],
            entry: Annotated[str, Form(max_length=200)], with_juror: Annotated[str, Form(max_length=100)],
            expect_version: Annotated[int, Form()]) -> RedirectResponse:
    """A declared juror's place in the draft given to another (the solver's suggestion, or any juror): the
    declared juror is forbidden on the entry and the other pinned there — a draft; publishing is a separate act."""
    try:
        edits = [assignments.Edit(op="forbid", juror=juror, entry=entry),
                 assignments.Edit(op="pin", juror=with_juror, entry=entry)]
        assignments.edit_draft(db, edits, who, expect_version=expect_version,
                               note=f"{with_juror} in place of {juror} (declared)")
    except ReviewError as exc:
        return _back(f"row-{entry}", exc, entry)
    return _back(f"row-{entry}", entry=entry)
