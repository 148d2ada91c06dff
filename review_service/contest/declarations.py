"""The juror's own say: on first opening an entry, before its content, a juror declares no conflict, a conflict
of interest, or that they abstain — with a short reason and free text.

A conflict or an abstention takes the entry out of the juror's list at once (:func:`permissions.standing` drops
the pair) and their review, if any, stays stored but does not count (:mod:`review_service.contest.counting`:
``declared_conflict`` / ``abstained``). It is final for the juror; organizers see it on the assignment page, the
progress board and the results, with a replacement **suggested** by the solver (:func:`suggest_replacement`):
a person applies it to the draft and publishes. Each declaration is audited with the juror as the actor.
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from review_service.contest import permissions
from review_service.contest.accounts import Principal
from review_service.core.errors import InfeasibleAssignment, InputError, PermissionDenied
from review_service.storage import Database
from review_service.storage.records import Declaration
from review_service.storage.say_store import SayStore

KINDS = ("none", "conflict", "abstain")
REASONS = ("personal", "workplace", "involved", "expertise", "language", "other")
"""The short choice: knows the entrant personally, the same workplace, took part in the project, outside
one's expertise, a language one does not read, something else (the free text says what)."""
MAX_NOTE = 500
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")


def clean_note(raw: str) -> str:
    """The juror's free text as stored: NFC, control and direction characters removed, at most
    :data:`MAX_NOTE` characters (longer is refused, never cut). Shown escaped everywhere."""
    text = _CONTROL.sub("", unicodedata.normalize("NFC", raw or "")).strip()
    if len(text) > MAX_NOTE:
        raise InputError(f"the note is {len(text)} characters; at most {MAX_NOTE}", code="note_too_long")
    return text


def declare(db: Database, who: Principal, key: str, kind: str, reason: str = "", note: str = "") -> Declaration:
    """The signed-in juror's declaration on the entry ``key`` names (404 outside their scope)."""
    if who.role != "juror" or not who.juror_id:
        raise PermissionDenied("only a juror declares, under their own account")
    entry_id, _record = permissions.entry_for(db, who, key, "review.declare")
    if kind not in KINDS:
        raise InputError(f"unknown declaration {kind!r}", hint=f"use one of: {', '.join(KINDS)}",
                         code="bad_declaration")
    note = clean_note(note)
    if kind == "none":
        reason, note = "", ""
    elif reason not in REASONS:
        raise InputError(f"a {kind} needs a reason", hint=f"one of: {', '.join(REASONS)}", code="reason_needed")
    elif reason == "other" and not note:
        raise InputError("the reason 'other' needs a few words", code="note_needed")
    return SayStore(db).declare(entry_id, who.juror_id, kind, reason, note, who.login)


def mine(db: Database, juror_id: str, entry_id: str) -> Declaration | None:
    return next(iter(SayStore(db).declarations(juror_id=juror_id, entry_id=entry_id)), None)


@dataclass(frozen=True)
class Replacement:
    """A declaration that took a pair out, with what the solver suggests in its place (a suggestion only)."""

    declaration: Declaration
    in_draft: bool  # the current draft still has the juror on the entry (the organizers have not acted yet)
    juror: str | None  # the suggested juror; None: none found (or the draft has already changed)
    affinity: float | None


def _loads(payload: dict, jurors: list[str], skip: str) -> np.ndarray:
    counts = dict.fromkeys(jurors, 0)
    for entry_id, entry in payload["entries"].items():
        if entry_id == skip:
            continue
        for r in entry["jurors"]:
            if r["juror"] in counts:
                counts[r["juror"]] += 1
    return np.array([counts[j] for j in jurors], dtype=np.int64)


def suggest_replacement(payload: dict, juror: str, entry: str, excluded: Iterable[str] = ()) -> tuple[str, float] | None:
    """The juror the solver puts on ``entry`` in place of ``juror``: the entry's column solved alone, its other
    jurors pinned, ``juror`` and ``excluded`` (others who declared on it) not allowed, conflicts, languages and
    forbids blocked as in the draft's matrix, each juror's load capped by what the rest of the draft leaves.
    None when the draft has no matrix or no one fits."""
    from review_service.stages.matching.assignment_problem import make_problem
    from review_service.stages.matching.solver import solve

    m = payload.get("matrix")
    if not m or entry not in m["entries"] or entry not in payload["entries"]:
        return None
    jids = list(m["jurors"])
    col = m["entries"].index(entry)
    affinity = np.asarray(m["affinity"], dtype=np.float64)[:, [col]]
    allowed = np.asarray(m["allowed"], dtype=bool)[:, [col]].copy()
    out = {juror, *excluded}
    for pair in payload.get("forbids", []):
        j, e = pair.split(":", 1)
        if e == entry:
            out.add(j)
    for j in out:
        if j in jids:
            allowed[jids.index(j), 0] = False
    staying = [r["juror"] for r in payload["entries"][entry]["jurors"] if r["juror"] not in out and r["juror"] in jids]
    pinned = tuple((jids.index(j), 0) for j in staying if allowed[jids.index(j), 0])
    room = np.maximum(np.asarray(m["max_load"], dtype=np.int64) - _loads(payload, jids, entry), 0)
    for j, _ in pinned:
        room[j] = max(room[j], 1)
    problem = make_problem(affinity, allowed, k=len(pinned) + 1, min_load=0, max_load=room, pinned=pinned,
                           juror_ids=tuple(jids), entry_ids=(entry,))
    try:
        solution = solve(problem, "optimal")
    except InfeasibleAssignment:
        return None
    picked = [jids[j] for j in np.nonzero(solution.assigned[:, 0])[0] if jids[j] not in staying]
    if not picked:
        return None
    return picked[0], round(float(affinity[jids.index(picked[0]), 0]), 4)


def replacements(db: Database, draft: dict | None) -> list[Replacement]:
    """Every conflict and abstention with the solver's suggestion against the current draft's payload."""
    found = [d for d in SayStore(db).declarations() if d.kind in permissions.DECLARED]
    by_entry: dict[str, set[str]] = {}
    for d in found:
        by_entry.setdefault(d.entry_id, set()).add(d.juror_id)
    out = []
    for d in found:
        payload = (draft or {}).get("payload") or {"entries": {}}
        rows = payload["entries"].get(d.entry_id, {}).get("jurors", [])
        in_draft = any(r["juror"] == d.juror_id for r in rows)
        pick = suggest_replacement(payload, d.juror_id, d.entry_id, by_entry[d.entry_id]) if in_draft else None
        out.append(Replacement(d, in_draft, pick[0] if pick else None, pick[1] if pick else None))
    return out
