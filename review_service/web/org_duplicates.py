"""Organizer pages: the duplicate queue — each flag side by side with its evidence, confirmed or dismissed with a
comment through ``flag_review.review_duplicate`` under ``flags.review`` (as ``POST /flags/duplicates/review``).

Staff only: each side names its file; the words both passages share are marked (``<mark>``); reviewed pairs are
behind a filter (``?show=all``; the default shows the pairs still to review)."""
from __future__ import annotations

import re
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from review_service.contest import flag_review
from review_service.contest.accounts import Principal
from review_service.core.errors import ReviewError
from review_service.core.normalize import fold
from review_service.server.deps import CsrfDep, DbDep, page_user
from review_service.server.page_errors import PageError
from review_service.storage import Database

from .render import page

router = APIRouter(prefix="/org", include_in_schema=False)
Reviewer = Annotated[Principal, page_user("flags.review")]


WORD = re.compile(r"\w+")
MIN_LETTERS = 3  # shorter words (и, в, the, of) match everywhere and would mark noise


def _names(db: Database) -> dict[str, str]:
    return {r["entry_id"]: r["file_name"] for r in db.submissions()}


def _keys(text: str) -> set[str]:
    return {fold(w) for w in WORD.findall(text) if len(w) >= MIN_LETTERS}


def marked_parts(text: str, other: str) -> list[tuple[str, bool]]:
    """``text`` cut into (piece, shared): the words that also occur in ``other`` (folded, so Latin and Cyrillic
    Kazakh spellings match) are shared; consecutive shared words and the spaces between them make one piece."""
    shared = _keys(other)
    parts: list[tuple[str, bool]] = []
    at = 0
    for found in WORD.finditer(text):
        if len(found[0]) < MIN_LETTERS or fold(found[0]) not in shared:
            continue
        gap = text[at:found.start()]
        if parts and parts[-1][1] and not gap.strip():
            parts[-1] = (parts[-1][0] + gap + found[0], True)
        else:
            if gap:
                parts.append((gap, False))
            parts.append((found[0], True))
        at = found.end()
    if at < len(text):
        parts.append((text[at:], False))
    return parts


def _with_marks(flag: dict) -> dict:
    evidence = [{**e, "a_parts": marked_parts(str(e.get("a_text") or ""), str(e.get("b_text") or "")),
                 "b_parts": marked_parts(str(e.get("b_text") or ""), str(e.get("a_text") or ""))}
                for e in flag.get("evidence") or []]
    return {**flag, "evidence": evidence}


@router.get("/duplicates", response_class=HTMLResponse)
def duplicates(request: Request, db: DbDep, who: Reviewer) -> HTMLResponse:
    verdicts = flag_review.latest_verdicts(db, "duplicate")
    flags = [{**_with_marks(f), "review": verdicts.get(flag_review.duplicate_key(f))}
             for f in flag_review.duplicate_flags(db)]
    show_all = request.query_params.get("show") == "all"
    reviewed = sum(f["review"] is not None for f in flags)
    shown = flags if show_all else [f for f in flags if f["review"] is None]
    return page(request, "web/org/duplicates.html", flags=shown, names=_names(db), show_all=show_all,
                reviewed=reviewed, total=len(flags), error=request.query_params.get("error", ""),
                notice=request.query_params.get("notice", ""))


@router.post("/duplicates")
def review_duplicate(db: DbDep, who: Reviewer, _csrf: CsrfDep,
                     a: Annotated[str, Form(max_length=200)], b: Annotated[str, Form(max_length=200)],
                     kind: Annotated[str, Form(max_length=40)],
                     verdict: Annotated[str, Form(pattern="^(confirm|dismiss)$")],
                     comment: Annotated[str, Form(max_length=2000)] = "",
                     show: Annotated[str, Form(pattern="^(all|)$")] = "") -> RedirectResponse:
    back = "/org/duplicates?show=all&" if show else "/org/duplicates?"
    if not comment.strip():
        return RedirectResponse(back + "error=comment", status_code=303)
    try:
        flag_review.review_duplicate(db, a=a, b=b, kind=kind, verdict=verdict, comment=comment, actor=who)
    except ReviewError as exc:
        raise PageError(404, "not_found") from exc
    return RedirectResponse(back + "notice=reviewed", status_code=303)
