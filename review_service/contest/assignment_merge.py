"""A new batch's suggestion joins the current assignment draft; it never replaces it.

Each batch screened with a jurors file stores its own AI suggestion (its entries only). The draft an organizer
edits and publishes covers every entry so far: when a batch brings entries the draft lacks, :func:`merge` adds
them — solved under the draft's pins, forbids and the jurors' loads already taken by the earlier entries — and
keeps every earlier row, pin, forbid and edit as it was. Published pairs change only when an organizer
publishes. Pure: payloads in, payload out (:mod:`review_service.contest.assignments` stores the result as a new draft).
"""
from __future__ import annotations

import copy
import logging

import numpy as np

from review_service.core.errors import InfeasibleAssignment

logger = logging.getLogger(__name__)


def new_entries(draft: dict, suggestion: dict) -> list[str]:
    """The suggestion's entries that the draft does not have yet, in the suggestion's order."""
    return [e for e in suggestion.get("entries", {}) if e not in draft["entries"]]


def _loads(draft: dict, jurors: list[str]) -> np.ndarray:
    counts = {j: 0 for j in jurors}
    for entry in draft["entries"].values():
        for r in entry["jurors"]:
            if r["juror"] in counts:
                counts[r["juror"]] += 1
    return np.array([counts[j] for j in jurors], dtype=np.int64)


def merged_matrix(old: dict | None, new: dict, keep: list[str]) -> dict:
    """One matrix over the jurors of both and the entries of ``old`` plus ``keep`` (entries of ``new``). A pair
    that neither matrix scored is not allowed (affinity 0); loads add up, so re-solving the whole draft later
    keeps each juror near the share the two batches gave them."""
    old = old or {"jurors": [], "entries": [], "affinity": [], "allowed": [], "min_load": [], "max_load": [],
                  "k": new.get("k")}
    jurors = list(old["jurors"]) + [j for j in new["jurors"] if j not in old["jurors"]]
    entries = list(old["entries"]) + [e for e in keep if e not in old["entries"]]
    aff = np.zeros((len(jurors), len(entries)))
    ok = np.zeros((len(jurors), len(entries)), dtype=np.int64)
    lo = np.zeros(len(jurors), dtype=np.int64)
    hi = np.zeros(len(jurors), dtype=np.int64)
    for m, cols in ((old, old["entries"]), (new, keep)):
        rows = [jurors.index(j) for j in m["jurors"]]
        for c in cols:
            src, dst = m["entries"].index(c), entries.index(c)
            for i, r in enumerate(rows):
                aff[r, dst] = m["affinity"][i][src]
                ok[r, dst] = m["allowed"][i][src]
        lo[rows] += np.asarray(m["min_load"], dtype=np.int64)
        hi[rows] += np.asarray(m["max_load"], dtype=np.int64)
    return {"jurors": jurors, "entries": entries, "affinity": np.round(aff, 6).tolist(), "allowed": ok.tolist(),
            "k": old.get("k") or new.get("k"), "min_load": lo.tolist(), "max_load": hi.tolist()}


def _solve_new(payload: dict, matrix: dict, entries: list[str], mode: str) -> dict[str, list[int]] | None:
    """Juror rows for ``entries`` solved over their columns only, under the draft's pins and forbids, with each
    juror's load capped by the merged maximum less what the draft already gives them. None when no such
    assignment exists."""
    from review_service.stages.matching.assignment_problem import make_problem
    from review_service.stages.matching.solver import solve

    jids = matrix["jurors"]
    cols = [matrix["entries"].index(e) for e in entries]
    aff = np.asarray(matrix["affinity"], dtype=np.float64)[:, cols]
    allowed = np.asarray(matrix["allowed"], dtype=bool)[:, cols]
    pinned = []
    for pair in payload["pins"] + payload["forbids"]:
        j, e = pair.split(":", 1)
        if j in jids and e in entries:
            if pair in payload["forbids"]:
                allowed[jids.index(j), entries.index(e)] = False
            else:
                pinned.append((jids.index(j), entries.index(e)))
    room = np.maximum(np.asarray(matrix["max_load"], dtype=np.int64) - _loads(payload, jids), 0)
    problem = make_problem(aff, allowed, k=matrix["k"], min_load=0, max_load=room, pinned=tuple(pinned),
                           juror_ids=tuple(jids), entry_ids=tuple(entries))
    try:
        solution = solve(problem, mode)
    except InfeasibleAssignment as exc:
        logger.warning("merging %d new entries under the loads taken: %s", len(entries), exc)
        return None
    return {e: [int(j) for j in np.nonzero(solution.assigned[:, i])[0]] for i, e in enumerate(entries)}


def merge(draft: dict, suggestion: dict, *, mode: str = "optimal") -> tuple[dict, dict]:
    """``draft`` with ``suggestion``'s new entries; (payload, summary). Earlier entries keep their rows. The new
    ones are solved under the loads already taken; if that is infeasible (the earlier entries use up the jurors),
    they keep the suggestion's own rows, which respect the batch's loads, and the summary says so."""
    out = copy.deepcopy(draft)
    added = new_entries(draft, suggestion)
    summary: dict = {"entries_added": added, "solved": "none"}
    if not added:
        return out, summary
    out["conflicts"] = out.get("conflicts", []) + [
        c for c in suggestion.get("conflicts", []) if c["entry"] in added and c not in out.get("conflicts", [])]
    out["pins"] = out["pins"] + [p for p in suggestion.get("pinned", []) if p.split(":", 1)[1] in added]
    out["forbids"] = out["forbids"] + [p for p in suggestion.get("forbidden", []) if p.split(":", 1)[1] in added]
    rows = {e: [{"juror": j["juror"], "affinity": j.get("affinity"), "pinned": bool(j.get("pinned")),
                 "source": "ai", "explanation": j.get("explanation")} for j in suggestion["entries"][e]["jurors"]]
            for e in added}
    if suggestion.get("matrix"):
        matrix = merged_matrix(draft.get("matrix"), suggestion["matrix"], added)
        out["matrix"], out["k"] = matrix, matrix["k"]
        solved = _solve_new(out, matrix, added, mode)
        if solved is not None:
            for e, picked in solved.items():
                ai = {r["juror"]: r for r in rows[e]}
                col = matrix["entries"].index(e)
                rows[e] = sorted(({"juror": matrix["jurors"][j],
                                   "affinity": round(float(matrix["affinity"][j][col]), 4),
                                   "pinned": f"{matrix['jurors'][j]}:{e}" in out["pins"],
                                   "source": "ai" if matrix["jurors"][j] in ai else "solver",
                                   "explanation": ai.get(matrix["jurors"][j], {}).get("explanation")}
                                  for j in picked), key=lambda r: -(r["affinity"] or 0))
            summary["solved"] = "under_loads_taken"
        else:
            summary["solved"] = "batch_suggestion"
    for e in added:
        out["entries"][e] = {"jurors": rows[e]}
    return out, summary
