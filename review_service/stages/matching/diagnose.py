"""Why an assignment is infeasible, in words a person can act on.

Checks run from the simplest to the most general and the first that finds the block is reported:
pins on blocked pairs or over a load, min > max loads, total capacity vs k × entries, the sum of min loads,
entries with fewer than k allowed jurors (with how many jurors each reason removes), groups (languages)
short of readers, jurors whose min load exceeds the entries open to them, the region cap, and finally a
max-flow min cut: the set of entries whose allowed jurors cannot give them enough slots.
"""
from __future__ import annotations

import logging

import numpy as np
from ortools.graph.python import max_flow

from review_service.core.errors import InfeasibleAssignment
from review_service.stages.matching.assignment_problem import Problem

logger = logging.getLogger(__name__)

SHOW = 8  # ids listed per message


def _jid(p: Problem, j: int) -> str:
    return p.juror_ids[j] if p.juror_ids else f"juror#{j}"


def _eid(p: Problem, e: int) -> str:
    return p.entry_ids[e] if p.entry_ids else f"entry#{e}"


def _ids(names: list[str]) -> str:
    more = f" and {len(names) - SHOW} more" if len(names) > SHOW else ""
    return ", ".join(names[:SHOW]) + more


def _why_blocked(p: Problem, j: int, e: int) -> str:
    reasons = [name for name, mask in p.blocked.items() if mask[j, e]]
    return " and ".join(reasons) if reasons else "not allowed"


def _reason_counts(p: Problem, e: int) -> str:
    parts = [f"{int(mask[:, e].sum())} by {name}" for name, mask in p.blocked.items() if mask[:, e].any()]
    return "; ".join(parts) if parts else "no jurors given"


def diagnose(p: Problem) -> tuple[str, str]:
    """(message, hint) naming the constraint that blocks and how much capacity is missing where."""
    n_j, n_e = p.shape
    k, lo, hi = p.k, p.min_load, p.max_load
    pins = sorted(set(p.pinned))
    for j, e in pins:
        if not p.allowed[j, e]:
            return (f"pinned pair {_jid(p, j)} → {_eid(p, e)} is blocked ({_why_blocked(p, j, e)})",
                    "remove the pin or the conflict/forbid that blocks it")
    pin_j = np.bincount([j for j, _ in pins], minlength=n_j) if pins else np.zeros(n_j, int)
    pin_e = np.bincount([e for _, e in pins], minlength=n_e) if pins else np.zeros(n_e, int)
    over_j = np.nonzero(pin_j > hi)[0]
    if len(over_j):
        j = int(over_j[0])
        return (f"juror {_jid(p, j)} is pinned to {pin_j[j]} entries but max_load is {hi[j]}",
                "raise the juror's max_load or remove pins")
    over_e = np.nonzero(pin_e > k)[0]
    if len(over_e):
        e = int(over_e[0])
        return (f"entry {_eid(p, e)} has {pin_e[e]} pinned jurors but needs only k={k[e]}",
                "remove a pin or raise k")
    bad = np.nonzero(lo > hi)[0]
    if len(bad):
        return (f"min_load exceeds max_load for {len(bad)} juror(s): {_ids([_jid(p, int(j)) for j in bad])}",
                "make min_load ≤ max_load")
    need, cap = int(k.sum()), int(hi.sum())
    if cap < need:
        avg = max(1.0, cap / max(1, n_j))
        message = (f"total juror capacity is {cap} slots but {n_e} entries × k need {need}; "
                   f"missing {need - cap} slots")
        hint = (f"raise max_load (by ≈{-(-(need - cap) // max(1, n_j))} per juror), "
                f"add ≈{int(np.ceil((need - cap) / avg))} jurors, or lower k")
        return message, hint
    if int(lo.sum()) > need:
        return (f"min loads add up to {int(lo.sum())} but only {need} slots exist ({n_e} entries × k)",
                f"lower min_load by {int(lo.sum()) - need} slots in total")
    count = p.allowed.sum(axis=0)
    short = np.nonzero(count < k)[0]
    if len(short):
        lines = [f"{_eid(p, e)} ({int(count[e])} of {n_j} allowed; blocked: {_reason_counts(p, e)})"
                 for e in short[:SHOW]]
        more = f"; and {len(short) - SHOW} more" if len(short) > SHOW else ""
        return (f"{len(short)} entr{'y has' if len(short) == 1 else 'ies have'} fewer than k allowed jurors: "
                + "; ".join(lines) + more,
                "add jurors who read these entries' language and have no conflict, or lower k for them")
    msg = _groups_short(p)
    if msg:
        return msg
    opts = p.allowed.sum(axis=1)
    low = np.nonzero(opts < lo)[0]
    if len(low):
        names = [f"{_jid(p, j)} (min_load {lo[j]}, {opts[j]} entries allowed)" for j in low[:SHOW]]
        return (f"{len(low)} juror(s) cannot reach their min_load: " + "; ".join(names),
                "lower their min_load")
    if p.region_cap is not None and p.region is not None:
        msg = _region_short(p)
        if msg:
            return msg
    return _min_cut(p)


def _groups_short(p: Problem) -> tuple[str, str] | None:
    if not p.entry_groups:
        return None
    groups = np.asarray(p.entry_groups)
    short = []
    for g in sorted(set(p.entry_groups)):
        ents = groups == g
        need = int(p.k[ents].sum())
        readers = p.allowed[:, ents].any(axis=1)
        cap = int(np.minimum(p.max_load[readers], p.allowed[readers][:, ents].sum(axis=1)).sum())
        if cap < need:
            short.append(f"'{g}': {int(ents.sum())} entries need {need} slots, {int(readers.sum())} jurors "
                         f"can take them with capacity {cap} (missing {need - cap})")
    if not short:
        return None
    return ("not enough capacity per language: " + "; ".join(short),
            "add jurors who read these languages or raise their max_load")


def _region_short(p: Problem) -> tuple[str, str] | None:
    reg = np.asarray(p.region)
    cap = int(p.region_cap or 0)
    bad = []
    for e in range(p.shape[1]):
        js = np.nonzero(p.allowed[:, e])[0]
        known = reg[js] >= 0
        counts = np.bincount(reg[js][known]) if known.any() else np.zeros(0, int)
        reach = int((~known).sum() + np.minimum(counts, cap).sum())
        if reach < p.k[e]:
            bad.append(f"{_eid(p, e)} (at most {reach} jurors under the cap)")
    if not bad:
        return None
    return (f"the cap of {cap} juror(s) per region leaves {len(bad)} entries short: " + _ids(bad),
            "raise --region-cap or add jurors from other regions")


def _min_cut(p: Problem) -> tuple[str, str]:
    """Max flow ignoring min loads; the sink side of the min cut is the group of entries short of slots."""
    n_j, n_e = p.shape
    src, sink = n_j + n_e, n_j + n_e + 1
    allowed, hi, k = p.allowed.copy(), p.max_load.copy(), p.k.copy()
    for j, e in set(p.pinned):  # pinned pairs are fixed: they use a slot of the juror and of the entry
        allowed[j, e] = False
        hi[j] -= 1
        k[e] -= 1
    jj, ee = np.nonzero(allowed)
    tails = np.concatenate([np.full(n_j, src), jj, n_j + np.arange(n_e)])
    heads = np.concatenate([np.arange(n_j), n_j + ee, np.full(n_e, sink)])
    caps = np.concatenate([hi, np.ones(len(jj), np.int64), k])
    mf = max_flow.SimpleMaxFlow()
    mf.add_arcs_with_capacity(tails.astype(np.int32), heads.astype(np.int32), caps.astype(np.int64))
    mf.solve(src, sink)
    flow = int(mf.optimal_flow())
    need = int(k.sum())
    pins = f" besides {len(set(p.pinned))} pinned pair(s)" if p.pinned else ""
    if flow >= need:
        return ("the min loads cannot all be met together with k per entry and the conflicts",
                "lower some jurors' min_load")
    side = set(mf.get_source_side_min_cut())
    ents = [e for e in range(n_e) if n_j + e not in side]
    d = int(k[ents].sum())
    c = d - (need - flow)
    helpers = np.nonzero(allowed[:, ents].any(axis=1))[0]
    where = ""
    if p.entry_groups:
        langs = sorted({p.entry_groups[e] for e in ents})
        where = f" (languages: {', '.join(langs)})"
    message = (f"{len(ents)} entries{where} need {d} juror slots{pins} but the {len(helpers)} jurors allowed "
               f"for them can give only {c}; missing {need - flow} slots. Entries: "
               f"{_ids([_eid(p, e) for e in ents])}")
    hint = (f"raise max_load of {_ids([_jid(p, int(j)) for j in helpers])}, add jurors without conflicts for "
            f"these entries, or lower k")
    return message, hint


def infeasible_error(p: Problem) -> InfeasibleAssignment:
    message, hint = diagnose(p)
    logger.info("infeasible assignment: %s", message)
    return InfeasibleAssignment(f"no assignment satisfies the constraints: {message}", hint=hint)
