"""Assignments as a workflow: the AI suggestion is a draft; organizers edit it and publish it (human acts).

A draft's payload: ``entries`` ({entry: {"jurors": [{"juror", "affinity", "pinned", "source", "explanation"}]}}),
``pins`` and ``forbids`` (``"JUROR:ENTRY"``), ``conflicts`` (from matching/conflicts.py, kept from the
suggestion), ``matrix`` (affinity and allowed mask, for re-solving without the embedder) and ``based_on``.
Every edit is a new draft version; :func:`publish` copies the draft into a new published version and records
what changed since the previous publication. Permissions (:mod:`review_service.contest.permissions`) read the latest
publication only. Each act is audited.
"""
from __future__ import annotations

import copy
from collections.abc import Iterable
from typing import Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from review_service.contest.accounts import Principal
from review_service.contest.assignment_merge import merge, new_entries
from review_service.contest.permissions import pairs
from review_service.core.errors import InputError, NotFound, PermissionDenied, StateConflict
from review_service.storage import Database
from review_service.storage.jury_store import JuryStore

SUGGESTION = "assignment_suggestion"


class Edit(BaseModel):
    """One change to the draft. ``pin``: keep JUROR on ENTRY (added if absent); ``forbid``: never JUROR on ENTRY
    (removed if present); ``remove``: take JUROR off ENTRY; ``swap``: replace JUROR by ``with_juror`` on ENTRY."""

    model_config = ConfigDict(extra="forbid")
    op: Literal["pin", "forbid", "remove", "swap"]
    juror: str = Field(min_length=1)
    entry: str = Field(min_length=1)
    with_juror: str | None = None


def _pair(juror: str, entry: str) -> str:
    return f"{juror}:{entry}"


def draft_from_suggestion(suggestion: dict, ai_result: dict | None = None) -> dict:
    entries = {}
    for entry_id, entry in suggestion.get("entries", {}).items():
        entries[entry_id] = {"jurors": [{"juror": j["juror"], "affinity": j.get("affinity"),
                                         "pinned": bool(j.get("pinned")), "source": "ai",
                                         "explanation": j.get("explanation")} for j in entry.get("jurors", [])]}
    return {"entries": entries, "pins": list(suggestion.get("pinned", [])),
            "forbids": list(suggestion.get("forbidden", [])), "conflicts": list(suggestion.get("conflicts", [])),
            "matrix": suggestion.get("matrix"), "k": (suggestion.get("matrix") or {}).get("k"),
            "based_on": {"stage": SUGGESTION, "input_hash": suggestion.get("provenance", {}).get("input_hash"),
                         "provenance": (ai_result or {}).get("provenance")}}


def current_draft(db: Database) -> dict:
    """The latest draft (version, payload). Version 0 is the first batch's AI suggestion as it came; a later
    batch's entries are merged in as a new draft version (:mod:`review_service.contest.assignment_merge`), leaving every
    earlier row and edit as it was."""
    store = JuryStore(db)
    for _attempt in range(5):  # another request may merge the same batch at the same moment: read again
        stored = store.assignment("draft")
        suggestions = db.ai_results_per_batch(SUGGESTION)
        if stored is None and not suggestions:
            raise NotFound("no assignment draft yet",
                           hint="run `review-service screen … --jurors JURORS.jsonl` first")
        draft = stored or _version_zero(suggestions[0])
        pending = [s for s in suggestions if new_entries(draft["payload"], s["payload"])]
        if not pending:
            return draft
        try:
            return _merge_pending(store, draft, pending)
        except StateConflict:
            continue
    raise StateConflict("the assignment draft keeps changing", code="stale_assignment", hint="reload the page")


def _version_zero(found: dict) -> dict:
    return {"state": "draft", "version": 0, "payload": draft_from_suggestion(found["payload"], found),
            "actor": "system:matching", "at": found["provenance"].get("created_at", ""), "note": "AI suggestion"}


def _merge_pending(store: JuryStore, draft: dict, pending: list[dict]) -> dict:
    """The draft with the pending batches' new entries, stored as the next draft version (a draft only: what
    jurors see changes when an organizer publishes)."""
    payload, summaries = draft["payload"], []
    for found in pending:
        payload, summary = merge(payload, found["payload"])
        summaries.append({"batch": found["batch_id"], **summary})
    added = sum(len(s["entries_added"]) for s in summaries)
    batches = ", ".join(str(s["batch"]) for s in summaries)
    return store.add_assignment("draft", payload, "system:matching", f"batch {batches}: {added} new entries merged",
                                action="assignment_draft_merged", expect_version=draft["version"],
                                summary={"batches": summaries})


def published(db: Database) -> dict | None:
    return JuryStore(db).assignment("published")


def _staff(actor: Principal) -> None:
    if not actor.is_staff:
        raise PermissionDenied("only an organizer edits or publishes the assignment")


def conflict_reason(payload: dict, juror: str, entry: str) -> str | None:
    for c in payload.get("conflicts", []):
        if c["juror"] == juror and c["entry"] == entry:
            return c["reason"]
    return None


def _affinity(payload: dict, juror: str, entry: str) -> float | None:
    m = payload.get("matrix")
    if not m or juror not in m["jurors"] or entry not in m["entries"]:
        return None
    return float(m["affinity"][m["jurors"].index(juror)][m["entries"].index(entry)])


def _add(payload: dict, juror: str, entry: str, *, pinned: bool) -> None:
    reason = conflict_reason(payload, juror, entry)
    if reason:
        raise StateConflict(f"{juror} cannot review {entry}: conflict of interest ({reason})",
                            code="conflict_of_interest")
    if _pair(juror, entry) in payload["forbids"]:
        raise StateConflict(f"{juror} is forbidden on {entry}", code="forbidden_pair",
                            hint="that pair was forbidden by an organizer; pin it to lift the ban")
    rows = payload["entries"][entry]["jurors"]
    row = next((r for r in rows if r["juror"] == juror), None)
    if row is None:
        rows.append({"juror": juror, "affinity": _affinity(payload, juror, entry), "pinned": pinned,
                     "source": "organizer", "explanation": None})
    elif pinned:
        row["pinned"] = True


def apply_edit(payload: dict, edit: Edit, known_jurors: Iterable[str]) -> dict:
    out = copy.deepcopy(payload)
    if edit.entry not in out["entries"]:
        raise NotFound(f"no entry {edit.entry!r} in the draft")
    known = set(known_jurors)
    for j in (edit.juror, edit.with_juror):
        if j is not None and j not in known:
            raise InputError(f"no juror {j!r}", hint="juror ids come from the jurors file")
    pair = _pair(edit.juror, edit.entry)
    rows = out["entries"][edit.entry]["jurors"]
    if edit.op == "pin":
        if pair in out["forbids"]:
            out["forbids"].remove(pair)
        _add(out, edit.juror, edit.entry, pinned=True)
        if pair not in out["pins"]:
            out["pins"].append(pair)
    elif edit.op in ("forbid", "remove"):
        out["entries"][edit.entry]["jurors"] = [r for r in rows if r["juror"] != edit.juror]
        if pair in out["pins"]:
            out["pins"].remove(pair)
        if edit.op == "forbid" and pair not in out["forbids"]:
            out["forbids"].append(pair)
    else:
        if not edit.with_juror:
            raise InputError("swap needs with_juror")
        if not any(r["juror"] == edit.juror for r in rows):
            raise InputError(f"{edit.juror} is not on {edit.entry}")
        out["entries"][edit.entry]["jurors"] = [r for r in rows if r["juror"] != edit.juror]
        if pair in out["pins"]:
            out["pins"].remove(pair)
        _add(out, edit.with_juror, edit.entry, pinned=False)
    return out


def _known_jurors(payload: dict) -> set[str]:
    m = payload.get("matrix") or {}
    found = set(m.get("jurors", []))
    for entry in payload["entries"].values():
        found.update(r["juror"] for r in entry["jurors"])
    return found


def edit_draft(db: Database, edits: list[Edit], actor: Principal, *, expect_version: int, note: str = "") -> dict:
    _staff(actor)
    draft = current_draft(db)
    if draft["version"] != expect_version:
        raise StateConflict(f"the draft is at version {draft['version']}, not {expect_version}",
                            code="stale_assignment", hint="reload it and apply the change again")
    payload = draft["payload"]
    for edit in edits:
        payload = apply_edit(payload, edit, _known_jurors(payload))
    summary = {"edits": [e.model_dump(exclude_none=True) for e in edits]}
    return JuryStore(db).add_assignment("draft", payload, actor.login, note, action="assignment_draft_edited",
                                        expect_version=expect_version, summary=summary)


def resolve(payload: dict, mode: str = "optimal") -> dict:
    """Solve again under the draft's pins and forbids, with the suggestion's affinity and allowed mask
    (conflicts of interest and languages stay blocked); AI explanations are kept for pairs that had them."""
    from review_service.stages.matching.assignment_problem import make_problem
    from review_service.stages.matching.solver import solve

    m = payload.get("matrix")
    if not m:
        raise StateConflict("this draft carries no affinity matrix to re-solve with", code="no_matrix",
                            hint="screen again with --jurors (the suggestion then stores it)")
    jids, eids = m["jurors"], m["entries"]
    jpos, epos = {j: i for i, j in enumerate(jids)}, {e: i for i, e in enumerate(eids)}
    allowed = np.asarray(m["allowed"], dtype=bool)
    for pair in payload["forbids"]:
        j, e = pair.split(":", 1)
        if j in jpos and e in epos:
            allowed[jpos[j], epos[e]] = False
    pinned = []
    for pair in payload["pins"]:
        j, e = pair.split(":", 1)
        if j in jpos and e in epos:
            if not allowed[jpos[j], epos[e]]:
                raise StateConflict(f"pinned pair {pair} is blocked (conflict of interest or language)",
                                    code="conflict_of_interest")
            pinned.append((jpos[j], epos[e]))
    problem = make_problem(np.asarray(m["affinity"]), allowed, k=m["k"], min_load=np.asarray(m["min_load"]),
                           max_load=np.asarray(m["max_load"]), pinned=tuple(pinned), juror_ids=tuple(jids),
                           entry_ids=tuple(eids))
    solution = solve(problem, mode)
    out = copy.deepcopy(payload)
    for e, entry_id in enumerate(eids):
        if entry_id not in out["entries"]:
            continue
        old = {r["juror"]: r for r in out["entries"][entry_id]["jurors"]}
        rows = []
        for j in np.nonzero(solution.assigned[:, e])[0]:
            jid = jids[j]
            prev = old.get(jid, {})
            rows.append({"juror": jid, "affinity": round(float(m["affinity"][j][e]), 4),
                         "pinned": _pair(jid, entry_id) in out["pins"], "source": prev.get("source", "solver"),
                         "explanation": prev.get("explanation")})
        out["entries"][entry_id]["jurors"] = sorted(rows, key=lambda r: -(r["affinity"] or 0))
    out["solver"] = {"mode": mode, "total_affinity": round(solution.total_affinity, 4),
                     "worst_entry_mean": round(solution.worst_entry_mean, 4)}
    return out


def resolve_draft(db: Database, actor: Principal, *, expect_version: int, mode: str = "optimal") -> dict:
    _staff(actor)
    draft = current_draft(db)
    if draft["version"] != expect_version:
        raise StateConflict(f"the draft is at version {draft['version']}, not {expect_version}",
                            code="stale_assignment", hint="reload it and try again")
    payload = resolve(draft["payload"], mode)
    return JuryStore(db).add_assignment("draft", payload, actor.login, f"re-solved ({mode})",
                                        action="assignment_draft_resolved", expect_version=expect_version,
                                        summary={"mode": mode, **payload["solver"]})


def publish(db: Database, actor: Principal, *, expect_version: int, note: str = "") -> dict:
    """Publish the current draft: jurors see their entries from now on. Changes since the last publication are
    recorded in the new version (``changes``) and in the audit record."""
    _staff(actor)
    draft = current_draft(db)
    if draft["version"] != expect_version:
        raise StateConflict(f"the draft is at version {draft['version']}, not {expect_version}",
                            code="stale_assignment", hint="reload it and publish what you reviewed")
    payload = copy.deepcopy(draft["payload"])
    for juror, entry in pairs(payload):
        reason = conflict_reason(payload, juror, entry)
        if reason:
            raise StateConflict(f"{juror} on {entry} is a conflict of interest ({reason})",
                                code="conflict_of_interest", hint="forbid or swap that pair first")
    before = published(db)
    old = pairs(before["payload"]) if before else set()
    new = pairs(payload)
    changes = {"added": sorted(f"{j}:{e}" for j, e in new - old),
               "removed": sorted(f"{j}:{e}" for j, e in old - new)}
    payload["changes"] = changes
    payload["draft_version"] = draft["version"]
    return JuryStore(db).add_assignment("published", payload, actor.login, note, action="assignment_published",
                                        summary={"draft_version": draft["version"], **changes})
