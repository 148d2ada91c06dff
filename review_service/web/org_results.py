"""Organizer pages: results (raw and standardised ranks, disagreement) with their decisions, the decision log,
and the jury's acts on one entry's page — reopening a submitted review with a reason, and eligibility /
finalist / award-place decisions.

Each goes through :mod:`review_service.contest.scoring` under the API's permission (``results.read``,
``decisions.read``, ``decisions.write``, ``review.reopen``), every entry through ``permissions.entry_for``.
CSV/XLSX downloads are the API's ``GET /results/export``."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from review_service.contest import permissions, scoring
from review_service.contest.accounts import Principal
from review_service.core.errors import ReviewError
from review_service.server.deps import CsrfDep, DbDep, SettingsDep, page_user
from review_service.storage.jury_store import JuryStore

from .entry_access import entry_or_404
from .render import page
from .views import entry_titles

router = APIRouter(prefix="/org", include_in_schema=False)
Decider = Annotated[Principal, page_user("decisions.write")]


@router.get("/results", response_class=HTMLResponse)
def results_page(request: Request, db: DbDep, settings: SettingsDep,
                 who: Annotated[Principal, page_user("results.read")]) -> HTMLResponse:
    decided = scoring.current_decisions(db)
    rows = [{"r": r, "decisions": {k: d.value for k, d in decided.get(r.entry_id, {}).items()}}
            for r in scoring.results(db, settings.disagreement)]
    rows.sort(key=lambda x: (x["r"].rank_z is None, x["r"].rank_z or 0))
    declared: dict[str, list[tuple[str, str]]] = {}  # a juror's conflict or abstention, with or without scores
    for (juror, entry), reason in sorted(permissions.standing(db).declared.items()):
        declared.setdefault(entry, []).append((juror, reason))
    return page(request, "web/org/results.html", rows=rows, titles=entry_titles(db), declared=declared,
                error=request.query_params.get("error", ""))


@router.post("/decisions")
def decide(db: DbDep, who: Decider, _csrf: CsrfDep,
           entry: Annotated[str, Form(max_length=200)], kind: Annotated[str, Form(max_length=20)],
           value: Annotated[str, Form(max_length=20)],
           reason: Annotated[str, Form(max_length=2000)] = "") -> RedirectResponse:
    """A decision from the results table (back to it; ``?error=decision`` when refused)."""
    try:
        eid, _record = permissions.entry_for(db, who, entry, "decisions.write")  # unknown: ?error=, not a 404
        scoring.record_decision(db, entry_id=eid, kind=kind, value=value, reason=reason, actor=who)
    except ReviewError:
        return RedirectResponse("/org/results?error=decision", status_code=303)
    return RedirectResponse("/org/results", status_code=303)


@router.get("/decisions", response_class=HTMLResponse)
def decisions_page(request: Request, db: DbDep,
                   who: Annotated[Principal, page_user("decisions.read")]) -> HTMLResponse:
    return page(request, "web/org/decisions.html", decisions=JuryStore(db).decisions()[::-1],
                titles=entry_titles(db))


# -- on one entry's page (web/org_prescreen.entry_page) ------------------------------------------------------------
@router.post("/entries/{entry_id}/reviews/{juror_id}/reopen")
def reopen_review(entry_id: str, juror_id: str, db: DbDep, who: Annotated[Principal, page_user("review.reopen")],
                  _csrf: CsrfDep, reason: Annotated[str, Form(max_length=2000)] = "") -> RedirectResponse:
    """As ``POST /entries/{id}/reviews/{juror}/reopen``: the review goes back to draft, the reason audited."""
    eid = entry_or_404(db, who, entry_id, "review.reopen")[0]
    if not reason.strip():
        return RedirectResponse(f"/org/entries/{eid}?error=reason#reviews", status_code=303)
    try:
        scoring.reopen_review(db, eid, juror_id, reason, who)
    except ReviewError:
        return RedirectResponse(f"/org/entries/{eid}?error=reopen#reviews", status_code=303)
    return RedirectResponse(f"/org/entries/{eid}?notice=reopened#reviews", status_code=303)


@router.post("/entries/{entry_id}/decisions", name="decide")
def decide_on_entry(entry_id: str, db: DbDep, who: Decider, _csrf: CsrfDep,
                    kind: Annotated[str, Form(pattern="^(eligibility|finalist|award)$")],
                    value: Annotated[str, Form(max_length=20)] = "",
                    reason: Annotated[str, Form(max_length=2000)] = "") -> RedirectResponse:
    """As ``POST /entries/{id}/decisions``: eligibility (a not-eligible one with a reason), finalist, award place."""
    eid = entry_or_404(db, who, entry_id, "decisions.write")[0]
    try:
        scoring.record_decision(db, entry_id=eid, kind=kind, value=value, reason=reason, actor=who)
    except ReviewError:
        return RedirectResponse(f"/org/entries/{eid}?error=decision#decisions", status_code=303)
    return RedirectResponse(f"/org/entries/{eid}?notice=decided#decisions", status_code=303)
