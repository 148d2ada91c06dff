"""A juror's pages: my entries (progress, deadline), an entry (original beside the AI draft note, citations,
duplicate evidence, similar past projects, the rubric form), feedback on a note sentence.

Every entry is reached through ``permissions.entry_for`` (published, conflict-free entries only: others are
404) and shown through the blind-review projection (:mod:`review_service.web.views`)."""
from __future__ import annotations

import math
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from review_service.contest import drafts, flag_review, permissions, scoring
from review_service.contest.accounts import Principal
from review_service.core.config import Settings
from review_service.core.errors import ReviewError
from review_service.intake.renditions import LazyRenderer
from review_service.server.deps import CsrfDep, DbDep, RendererDep, SettingsDep, page_user
from review_service.server.page_errors import PageError
from review_service.stages.notes.sentences import note_sentences
from review_service.storage import Database
from review_service.storage.jury_store import JuryStore

from .entry_access import entry_or_404
from .render import language, page
from .render import marked as _
from .views import entry_view

router = APIRouter(prefix="/my", include_in_schema=False)
Juror = Annotated[Principal, page_user("review.write")]
STATUS = {None: _("not started"), "draft": _("draft"), "submitted": _("submitted")}


@router.get("", response_class=HTMLResponse)
def my_entries(request: Request, db: DbDep, settings: SettingsDep,
               who: Annotated[Principal, page_user("assignment.mine")]) -> HTMLResponse:
    scope = permissions.juror_scope(db, who.juror_id or "")
    reviews = {r["entry_id"]: r for r in JuryStore(db).reviews(juror_id=who.juror_id)}
    rows = []
    for entry_id in sorted(scope.entries, key=permissions.entry_code):
        record = db.submission(entry_id)
        if record is None:
            continue
        entry = permissions.project_entry(record, who, settings.blind_review)
        status = (reviews.get(entry_id) or {}).get("status")
        key = permissions.public_id(entry_id, who, settings.blind_review)
        rows.append({"key": key, "code": entry["code"], "format": entry.get("format") or "",
                     "language": entry.get("language") or "", "status": status, "status_label": STATUS[status]})
    done = sum(r["status"] == "submitted" for r in rows)
    return page(request, "web/juror/entries.html", rows=rows, done=done, deadline=settings.scoring_deadline,
                closed=scoring.deadline_passed(settings.scoring_deadline))


def _render(request: Request, db: Database, settings: Settings, renderer: LazyRenderer, who: Principal, key: str, *,
            errors: list | None = None, values: dict | None = None, status_code: int = 200) -> HTMLResponse:
    entry_id, record = entry_or_404(db, who, key, "review.write")
    view = entry_view(db, settings, who, entry_id, record, key, renderer=renderer, lang=language(request))
    try:
        rubric = scoring.current_rubric(db)
    except ReviewError:
        rubric = {"version": None, "criteria": []}
    review = JuryStore(db).review(entry_id, who.juror_id or "") or {"status": None, "scores": {}}
    saved = {c: {"value": v["value"], "comment": v.get("comment", "")} for c, v in (review.get("scores") or {}).items()}
    feedback = {int(r.target.rsplit(":", 2)[1]): r.verdict for r in flag_review.latest_verdicts(
        db, "note", f"note:{entry_id}:").values() if r.target.endswith(f":{who.login}")}
    errors = errors or []
    invalid: dict[str, list] = {}  # a field's id → its messages, shown beside it (the first one gets the focus)
    for field, message, params in errors:
        if field:
            invalid.setdefault(field, []).append((message, params))
    closed = scoring.deadline_passed(settings.scoring_deadline)
    return page(request, "web/juror/entry.html", status_code=status_code, **view, rubric=rubric,
                review=review, values=values or saved, errors=errors, invalid=invalid,
                first_invalid=next(iter(invalid), ""), feedback=feedback, deadline=settings.scoring_deadline,
                closed=closed, locked=closed or review.get("status") == "submitted",
                notice=request.query_params.get("done", ""))


@router.get("/{key}", response_class=HTMLResponse)
def entry_page(key: str, request: Request, db: DbDep, settings: SettingsDep, renderer: RendererDep,
               who: Juror) -> HTMLResponse:
    return _render(request, db, settings, renderer, who, key)


def _number(raw: str) -> float | None:
    try:
        value = float(raw.replace(",", ".").strip())
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def read_scores(form, criteria: list[dict], lang_name, submitting: bool) -> tuple[dict, dict, list]:
    """The rubric form's values, what to save, and messages (the field's element id, msgid, values) in the
    interface language."""
    values, scores, errors = {}, {}, []
    for c in criteria:
        raw, comment = str(form.get(f"score-{c['id']}", "")).strip(), str(form.get(f"comment-{c['id']}", "")).strip()
        values[c["id"]] = {"value": raw, "comment": comment}
        name = lang_name(c)
        score, comment_field = f"score-{c['id']}", f"comment-{c['id']}"
        if not raw:
            if submitting:
                errors.append((score, _("%(name)s: give a score."), {"name": name}))
            continue
        value = _number(raw)
        steps = 0.0 if value is None else (value - c["min"]) / c["step"]
        if value is None or not c["min"] <= value <= c["max"] or abs(steps - round(steps)) > 1e-6:
            errors.append((score, _("%(name)s: a score from %(min)s to %(max)s in steps of %(step)s."),
                           {"name": name, "min": f"{c['min']:g}", "max": f"{c['max']:g}", "step": f"{c['step']:g}"}))
            continue
        if submitting and c.get("comment_required") and not comment:
            errors.append((comment_field, _("%(name)s: a comment is required."), {"name": name}))
        scores[c["id"]] = {"value": value, "comment": comment}
    return values, scores, errors


ERROR_CODES = {"deadline_passed": _("The scoring deadline has passed; ask an organizer."),
               "rubric_changed": _("The rubric has changed; check the scores and save again."),
               "review_submitted": _("This review is already submitted; an organizer can reopen it.")}


@router.post("/{key}/review", response_class=HTMLResponse)
async def save_review(key: str, request: Request, db: DbDep, settings: SettingsDep, renderer: RendererDep,
                      who: Juror, _csrf: CsrfDep):
    """Save a draft (``action=save``) or save and submit (``action=submit``) through :mod:`scoring`."""
    entry_id, _record = entry_or_404(db, who, key, "review.write")
    form = await request.form()
    submitting = form.get("action") == "submit"
    criteria = scoring.current_rubric(db)["criteria"]

    lang = language(request)
    values, scores, errors = read_scores(form, criteria, lambda c: c["name"].get(lang) or c["id"], submitting)
    status = 422
    if not errors:
        try:
            if scores:
                scoring.save_review(db, entry_id, scores, who, deadline=settings.scoring_deadline)
            if submitting:
                scoring.submit_review(db, entry_id, who, deadline=settings.scoring_deadline)
            elif not scores:
                errors.append(("", _("Nothing to save: give at least one score."), {}))
        except ReviewError as exc:
            errors.append(("", ERROR_CODES.get(exc.code, _("Not saved: %(detail)s")), {"detail": exc.message}))
            status = exc.http_status if exc.http_status in (409, 422) else 422
    if errors:
        return _render(request, db, settings, renderer, who, key, errors=errors, values=values, status_code=status)
    return RedirectResponse(f"/my/{key}?done={'submitted' if submitting else 'saved'}#rubric", status_code=303)


@router.post("/{key}/note/{sentence}")
def note_feedback(key: str, sentence: int, db: DbDep, who: Juror, _csrf: CsrfDep,
                  verdict: Annotated[str, Form(pattern="^(helpful|wrong)$")]) -> RedirectResponse:
    """Mark one sentence of the AI note helpful or wrong (the note itself is never edited)."""
    entry_id, _record = entry_or_404(db, who, key, "review.write")
    note = drafts.entry_note(db, entry_id)
    if note is None:
        raise PageError(404, "not_found")
    try:
        flag_review.review_note_sentence(db, entry_id=entry_id, sentence=sentence,
                                         n_sentences=len(note_sentences(note)), verdict=verdict, comment="",
                                         actor=who)
    except ReviewError as exc:
        raise PageError(404, "not_found") from exc
    return RedirectResponse(f"/my/{key}#s{sentence}", status_code=303)
