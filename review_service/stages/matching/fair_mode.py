"""The ``fair`` matching mode: raise the worst-served entry first (the method is described in
:mod:`review_service.stages.matching.solver`)."""
from __future__ import annotations

import logging
import time
from dataclasses import replace

import numpy as np

from review_service.stages.matching.assignment_problem import Problem, Solution
from review_service.stages.matching.diagnose import infeasible_error
from review_service.stages.matching.flow_graph import (
    Residual,
    entry_means,
    feasible,
    finish,
    max_total,
    pins_ok,
    residual,
)

logger = logging.getLogger(__name__)

FAIR_ROUNDS = 8  # re-weighted max-total flows in fair mode
FAIR_ETA = 0.5
FAIR_PATIENCE = 5  # stop after this many rounds without a better worst entry


def solve_fair(p: Problem) -> Solution:
    """Largest threshold T with a feasible assignment using only pairs ``>= T``; then max total under it."""
    t0 = time.perf_counter()
    rest = residual(p)
    if not pins_ok(p, rest):
        raise infeasible_error(p)
    base = max_total(p, rest, rest.allowed)
    if base is None:
        raise infeasible_error(p)
    assigned0 = base[0]
    a = p.affinity
    lo = float(a[assigned0].min()) if assigned0.any() else float("-inf")
    # upper bound: each entry's k-th best allowed affinity
    need = rest.k > 0
    scored = np.where(rest.allowed, a, -np.inf)
    srt = -np.sort(-scored, axis=0)
    kth = srt[np.maximum(rest.k - 1, 0), np.arange(a.shape[1])]
    hi = float(kth[need].min()) if need.any() else lo
    vals = np.unique(a[rest.allowed & (a >= lo) & (a <= hi)])
    best = 0  # index into vals; vals[0] == lo is feasible (the optimal solution uses only pairs >= lo)
    left, right = 1, len(vals) - 1
    checks = 0
    while left <= right:
        mid = (left + right) // 2
        checks += 1
        if feasible(p, rest, rest.allowed & (a >= vals[mid])):
            best, left = mid, mid + 1
        else:
            right = mid - 1
    threshold = float(vals[best]) if len(vals) else lo
    allowed_t = rest.allowed & (a >= threshold)
    out = max_total(p, rest, allowed_t)
    assert out is not None  # feasible by construction
    bound = worst_entry_bound(p, rest)
    rounds = out[3] + checks + base[3]
    best_sol = finish(p, out[0], "fair")
    # re-weighting, first within the threshold, then (if the bound is not reached) over all allowed pairs
    # starting from the optimal-total solution; the best worst entry over everything tried is kept
    for start, pairs in ((best_sol, allowed_t), (finish(p, assigned0, "fair"), rest.allowed)):
        if (start.worst_entry_mean, start.total_affinity) > (best_sol.worst_entry_mean, best_sol.total_affinity):
            best_sol = start
        sol, weights, stale = start, np.ones(a.shape[1]), 0
        for _ in range(FAIR_ROUNDS):
            if best_sol.worst_entry_mean >= bound - 1e-9 or stale >= FAIR_PATIENCE:
                break
            means = entry_means(p, sol.assigned)
            spread = float(np.nanstd(means)) + 1e-9
            gap = np.clip(np.nanmedian(means) - np.nan_to_num(means), 0, None)
            weights = weights * np.exp(FAIR_ETA * gap / spread)
            weights /= weights.mean()
            out = max_total(p, rest, pairs, weights=weights)
            assert out is not None
            rounds += out[3]
            sol = finish(p, out[0], "fair")
            stale = 0 if sol.worst_entry_mean > best_sol.worst_entry_mean + 1e-9 else stale + 1
            if (sol.worst_entry_mean, sol.total_affinity) > (best_sol.worst_entry_mean, best_sol.total_affinity):
                best_sol = sol
    logger.debug("fair: threshold %.4f after %d feasibility checks; worst mean %.4f (bound %.4f)",
                 threshold, checks, best_sol.worst_entry_mean, bound)
    free = best_sol.assigned.copy()
    for j, e in p.pinned:
        free[j, e] = False
    floor = float(a[free].min()) if free.any() else threshold
    return replace(best_sol, threshold=floor, rounds=rounds, edges=out[4], worst_entry_bound=bound,
                   seconds=time.perf_counter() - t0)


def worst_entry_bound(p: Problem, rest: Residual) -> float:
    """No assignment can give the worst entry more than its pins plus its best remaining allowed jurors."""
    n_e = p.shape[1]
    scored = np.where(rest.allowed, p.affinity, -np.inf)
    srt = -np.sort(-scored, axis=0)
    csum = np.vstack([np.zeros(n_e), np.cumsum(np.where(np.isfinite(srt), srt, 0.0), axis=0)])
    pinned = np.zeros(n_e)
    for j, e in set(p.pinned):
        pinned[e] += p.affinity[j, e]
    best = (csum[rest.k, np.arange(n_e)] + pinned) / np.maximum(p.k, 1)
    return float(best[p.k > 0].min()) if (p.k > 0).any() else float("nan")
