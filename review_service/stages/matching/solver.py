"""Assignment solver: pure functions over matrices (the "solve" step of encode → solve → decode).

Inputs are an affinity matrix ``A`` (jurors × entries), a boolean ``allowed`` mask (conflicts, language,
forbidden pairs already folded in), ``k`` jurors per entry, per-juror min/max loads, pinned pairs and an
optional cap on jurors from one region per entry.

Two modes (chosen by name from :data:`MODES`):

* ``optimal`` — maximum total affinity, as a min-cost flow (OR-Tools ``SimpleMinCostFlow``) with costs
  ``-round(A * SCALE)``. To stay fast on large instances the flow is first solved on a *restricted* edge set
  (each entry's top-``m`` allowed jurors, plus each juror's top entries), then **certified** against the full
  problem: shortest-path node potentials are computed on the residual graph of the restricted optimum and
  every left-out allowed pair is priced. A pair with negative reduced cost would improve the flow; such
  pairs are added and the flow re-solved, until none is left. With no negative reduced cost anywhere the
  restricted optimum is an optimum of the full problem (LP duality for network flows), so the result is exact,
  not a heuristic. If the restricted problem is infeasible, ``m`` is doubled up to the full edge set.
* ``fair`` — raises the worst-served entry first (maximises the worst entry's mean affinity, then the
  total). (1) Bisection over the affinity values for the largest threshold ``T`` such that an assignment
  using only pairs with ``A >= T`` exists (max-flow feasibility checks); (2) max total affinity over pairs
  ``>= T`` — every entry's mean is then at least ``T``; (3) up to :data:`FAIR_ROUNDS` re-weighted
  max-total flows over the pairs ``>= T``, then (unless the bound below is reached) as many again over all
  allowed pairs starting from the optimal-total solution, multiplying the weight of entries below the median entry mean (multiplicative weights), stopping
  after :data:`FAIR_PATIENCE` rounds without progress. The solution with the highest worst-entry mean (ties:
  higher total) is kept, so it is never worse for the worst entry than ``optimal``. It stops early when the
  worst entry reaches the upper bound ``min_e mean(k best allowed affinities of e)`` — then the max-min entry
  mean is proven optimal; the bound is reported either way (``worst_entry_bound``), and ``threshold`` is the
  lowest affinity of any non-pinned pair in the result. Pinned pairs are kept whatever their affinity.

Infeasible instances raise :class:`~review_service.core.errors.InfeasibleAssignment` with a diagnosis from
:mod:`review_service.stages.matching.diagnose`.
"""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field, replace

import numpy as np
from ortools.graph.python import max_flow, min_cost_flow

from review_service.core.errors import InputError

logger = logging.getLogger(__name__)

SCALE = 1_000_000  # affinities are rounded to 1e-6 for the integer flow costs
MODES = ("optimal", "fair")
FAIR_ROUNDS = 8  # re-weighted max-total flows in fair mode
FAIR_ETA = 0.5
FAIR_PATIENCE = 5  # stop after this many rounds without a better worst entry


@dataclass(frozen=True)
class Problem:
    """A matching instance. ``blocked`` (reason → mask) and the labels only serve the diagnosis."""

    affinity: np.ndarray  # (J, E) float
    allowed: np.ndarray  # (J, E) bool
    k: np.ndarray  # (E,) int
    min_load: np.ndarray  # (J,) int
    max_load: np.ndarray  # (J,) int
    pinned: tuple[tuple[int, int], ...] = ()
    region: np.ndarray | None = None  # (J,) int region code, -1 = unknown
    region_cap: int | None = None
    blocked: dict[str, np.ndarray] = field(default_factory=dict)
    juror_ids: tuple[str, ...] = ()
    entry_ids: tuple[str, ...] = ()
    entry_groups: tuple[str, ...] = ()  # e.g. each entry's language, for "languages short of readers"

    @property
    def shape(self) -> tuple[int, int]:
        return self.affinity.shape  # type: ignore[return-value]


@dataclass(frozen=True)
class Solution:
    assigned: np.ndarray  # (J, E) bool
    mode: str
    total_affinity: float
    worst_entry_mean: float
    threshold: float | None = None  # fair mode: every non-pinned pair has affinity >= threshold
    certified: bool = True  # optimum proven for the full edge set
    rounds: int = 1
    edges: int = 0  # juror–entry arcs in the last flow solved
    worst_entry_bound: float | None = None  # fair mode: no assignment can do better for the worst entry
    integer_cost: int = 0  # the flow objective in scaled integer units (comparable across solvers)
    seconds: float = 0.0


def make_problem(affinity: np.ndarray, allowed: np.ndarray | None = None, *, k: int | np.ndarray = 3,
                 min_load: int | np.ndarray = 0, max_load: int | np.ndarray | None = None,
                 pinned: tuple[tuple[int, int], ...] = (), **extra) -> Problem:
    """Build a :class:`Problem`, broadcasting scalars and checking shapes."""
    a = np.asarray(affinity, dtype=np.float64)
    if a.ndim != 2:
        raise InputError(f"affinity must be a jurors × entries matrix, got shape {a.shape}")
    n_j, n_e = a.shape
    ok = np.ones_like(a, dtype=bool) if allowed is None else np.asarray(allowed, dtype=bool)
    if ok.shape != a.shape:
        raise InputError(f"allowed mask shape {ok.shape} differs from affinity shape {a.shape}")
    if not np.isfinite(a[ok]).all():
        raise InputError("affinity has NaN or infinite values on allowed pairs")
    kk = np.broadcast_to(np.asarray(k, dtype=np.int64), (n_e,)).copy()
    lo = np.broadcast_to(np.asarray(min_load, dtype=np.int64), (n_j,)).copy()
    hi_default = int(kk.sum()) if max_load is None else max_load
    hi = np.broadcast_to(np.asarray(hi_default, dtype=np.int64), (n_j,)).copy()
    if (kk < 0).any() or (lo < 0).any() or (hi < 0).any():
        raise InputError("k and loads must be non-negative")
    for j, e in pinned:
        if not (0 <= j < n_j and 0 <= e < n_e):
            raise InputError(f"pinned pair ({j}, {e}) is outside the {n_j} × {n_e} matrix")
    return Problem(a, ok, kk, lo, hi, tuple((int(j), int(e)) for j, e in pinned), **extra)


# ---------------------------------------------------------------------------------------------- flow graph

@dataclass(frozen=True)
class _Graph:
    n_nodes: int
    tails: np.ndarray
    heads: np.ndarray
    caps: np.ndarray
    costs: np.ndarray
    supplies: np.ndarray
    pair_j: np.ndarray  # the juror–entry arcs (first len(pair_j) arcs of the graph)
    pair_e: np.ndarray


class _Layout:
    """Node numbering: jurors, entries, source, then one node per (entry, region) when a region cap is set."""

    def __init__(self, p: Problem, rest: _Residual) -> None:
        n_j, n_e = p.shape
        self.src = n_j + n_e
        self.n_nodes = self.src + 1
        self.region_key = None
        if p.region_cap is not None and p.region is not None:
            reg = np.asarray(p.region, dtype=np.int64)
            n_r = int(reg.max()) + 1 if len(reg) else 0
            jj, ee = np.nonzero(rest.allowed & (reg[:, None] >= 0))
            keys = np.unique(ee * n_r + reg[jj])
            self.region_key, self.n_r, self.reg = keys, n_r, reg
            self.n_nodes += len(keys)
            used = rest.region_used
            self.region_caps = np.array([max(0, p.region_cap - used.get(int(x), 0)) for x in keys], np.int64)

    def heads(self, p: Problem, jj: np.ndarray, ee: np.ndarray) -> np.ndarray:
        n_j = p.shape[0]
        h = n_j + ee
        if self.region_key is not None:
            r = self.reg[jj]
            has = r >= 0
            pos = np.searchsorted(self.region_key, ee[has] * self.n_r + r[has])
            h = h.copy()
            h[has] = self.src + 1 + pos
        return h


@dataclass(frozen=True)
class _Residual:
    """The problem left after the pinned pairs are fixed."""

    allowed: np.ndarray
    k: np.ndarray
    min_load: np.ndarray
    max_load: np.ndarray
    region_used: dict[int, int]


def _residual(p: Problem) -> _Residual:
    allowed = p.allowed.copy()
    k, lo, hi = p.k.copy(), p.min_load.copy(), p.max_load.copy()
    used: dict[int, int] = {}
    n_r = int(p.region.max()) + 1 if p.region is not None and len(p.region) else 0
    for j, e in set(p.pinned):
        allowed[j, e] = False
        k[e] -= 1
        hi[j] -= 1
        lo[j] = max(0, lo[j] - 1)
        if p.region is not None and p.region[j] >= 0:
            key = e * n_r + int(p.region[j])
            used[key] = used.get(key, 0) + 1
    return _Residual(allowed, k, lo, hi, used)


def _build(p: Problem, rest: _Residual, lay: _Layout, mask: np.ndarray, costs: np.ndarray) -> _Graph:
    n_j, n_e = p.shape
    jj, ee = np.nonzero(mask)
    tails = [jj, np.full(n_j, lay.src)]
    heads = [lay.heads(p, jj, ee), np.arange(n_j)]
    caps = [np.ones(len(jj), np.int64), rest.max_load - rest.min_load]
    cost = [costs[jj, ee], np.zeros(n_j, np.int64)]
    if lay.region_key is not None:
        nodes = lay.src + 1 + np.arange(len(lay.region_key))
        tails.append(nodes)
        heads.append(n_j + lay.region_key // lay.n_r)
        caps.append(lay.region_caps)
        cost.append(np.zeros(len(nodes), np.int64))
    supplies = np.zeros(lay.n_nodes, np.int64)
    supplies[:n_j] = rest.min_load
    supplies[n_j:n_j + n_e] = -rest.k
    supplies[lay.src] = rest.k.sum() - rest.min_load.sum()
    return _Graph(lay.n_nodes, np.concatenate(tails).astype(np.int32), np.concatenate(heads).astype(np.int32),
                  np.concatenate(caps), np.concatenate(cost), supplies, jj, ee)


def _solve_flow(g: _Graph) -> tuple[np.ndarray, int] | None:
    """Arc flows and the optimal cost, or None when no flow meets the supplies (infeasible)."""
    mcf = min_cost_flow.SimpleMinCostFlow()
    if len(g.tails):
        mcf.add_arcs_with_capacity_and_unit_cost(g.tails, g.heads, g.caps, g.costs)
    mcf.set_nodes_supplies(np.arange(g.n_nodes, dtype=np.int32), g.supplies)
    status = mcf.solve()
    if status == mcf.OPTIMAL:
        return np.asarray(mcf.flows(np.arange(len(g.tails), dtype=np.int32)), np.int64), int(mcf.optimal_cost())
    if status in (mcf.INFEASIBLE, mcf.UNBALANCED):
        return None
    raise RuntimeError(f"min-cost flow failed with status {status}")


def _potentials(g: _Graph, flows: np.ndarray, max_iter: int | None = None) -> np.ndarray | None:
    """Shortest-path distances on the residual graph from a virtual root (Bellman–Ford, vectorised).

    At an optimal flow the residual graph has no negative cycle, so this converges; the distances ``d``
    satisfy ``cost(u, v) + d[u] - d[v] >= 0`` on every residual arc (they are LP dual prices).
    """
    fwd = flows < g.caps
    bwd = flows > 0
    u = np.concatenate([g.tails[fwd], g.heads[bwd]])
    v = np.concatenate([g.heads[fwd], g.tails[bwd]])
    w = np.concatenate([g.costs[fwd], -g.costs[bwd]])
    d = np.zeros(g.n_nodes, np.int64)
    for _ in range(max_iter or g.n_nodes + 1):
        new = d.copy()
        np.minimum.at(new, v, d[u] + w)
        if np.array_equal(new, d):
            return d
        d = new
    return None


def _candidates(a: np.ndarray, allowed: np.ndarray, rest: _Residual, m: int) -> np.ndarray:
    """Each entry's top-m allowed jurors by affinity, plus each juror's top entries (for min loads)."""
    n_j, n_e = a.shape
    scored = np.where(allowed, a, -np.inf)
    mask = np.zeros_like(allowed)
    if m >= n_j:
        return allowed.copy()
    top = np.argpartition(-scored, m - 1, axis=0)[:m]
    mask[top, np.arange(n_e)[None, :]] = True
    per_juror = int(min(n_e, max(2 * int(rest.min_load.max(initial=0)), m)))
    if per_juror < n_e:
        topj = np.argpartition(-scored, per_juror - 1, axis=1)[:, :per_juror]
        mask[np.arange(n_j)[:, None], topj] = True
    else:
        mask[:] = True
    return mask & allowed


def _max_total(p: Problem, rest: _Residual, allowed: np.ndarray, m: int | None = None,
               weights: np.ndarray | None = None) -> tuple[np.ndarray, int, bool, int, int] | None:
    """Max total affinity over ``allowed`` pairs, with the restricted-then-certified scheme.

    Returns (assigned pairs of the residual problem, integer cost, certified, rounds, arcs) or None
    when infeasible on the full edge set.
    """
    n_j, n_e = p.shape
    a = p.affinity if weights is None else p.affinity * weights[None, :]
    costs = -np.rint(a * SCALE).astype(np.int64)
    lay = _Layout(p, replace(rest, allowed=allowed))
    k_max = int(rest.k.max(initial=0))
    m = m or max(4 * k_max + 8, 20)
    mask = _candidates(p.affinity, allowed, rest, m) if m < n_j else allowed.copy()
    rounds = 0
    while True:
        rounds += 1
        g = _build(p, rest, lay, mask, costs)
        res = _solve_flow(g)
        full = bool(np.array_equal(mask, allowed))
        if res is None:
            if full:
                return None
            m = min(n_j, 2 * m)
            logger.debug("restricted flow infeasible; widening to top-%d jurors per entry", m)
            mask |= _candidates(p.affinity, allowed, rest, m)
            continue
        flows, cost = res
        if full:
            break
        d = _potentials(g, flows)
        if d is None:  # should not happen at an optimum; fall back to the full edge set
            mask = allowed.copy()
            continue
        out_j, out_e = np.nonzero(allowed & ~mask)
        reduced = costs[out_j, out_e] + d[out_j] - d[lay.heads(p, out_j, out_e)]
        bad = reduced < 0
        logger.debug("round %d: %d arcs, %d left-out pairs priced negative", rounds, len(g.pair_j), int(bad.sum()))
        if not bad.any():
            break
        mask[out_j[bad], out_e[bad]] = True
    n_pairs = len(g.pair_j)
    used = flows[:n_pairs] > 0
    assigned = np.zeros((n_j, n_e), dtype=bool)
    assigned[g.pair_j[used], g.pair_e[used]] = True
    return assigned, cost, True, rounds, n_pairs


def _finish(p: Problem, assigned_rest: np.ndarray, mode: str, **kw) -> Solution:
    assigned = assigned_rest.copy()
    for j, e in p.pinned:
        assigned[j, e] = True
    means = _entry_means(p, assigned)
    total = float(p.affinity[assigned].sum())
    worst = float(np.nanmin(means)) if np.isfinite(means).any() else float("nan")
    icost = int(-np.rint(p.affinity[assigned] * SCALE).astype(np.int64).sum())
    return Solution(assigned, mode, total, worst, integer_cost=icost, **kw)


def _fail(p: Problem) -> None:
    from review_service.stages.matching.diagnose import infeasible_error

    raise infeasible_error(p)


def solve_optimal(p: Problem) -> Solution:
    """Maximum total affinity subject to all hard constraints (exact; see the module docstring)."""
    t0 = time.perf_counter()
    rest = _residual(p)
    if not _pins_ok(p, rest):
        _fail(p)
    out = _max_total(p, rest, rest.allowed)
    if out is None:
        _fail(p)
    assigned, _, certified, rounds, arcs = out  # type: ignore[misc]
    return _finish(p, assigned, "optimal", certified=certified, rounds=rounds, edges=arcs,
                   seconds=time.perf_counter() - t0)


def _feasible(p: Problem, rest: _Residual, allowed: np.ndarray) -> bool:
    """Whether some assignment uses only ``allowed`` pairs (max flow; a zero-cost flow when min loads exist)."""
    lay = _Layout(p, replace(rest, allowed=allowed))
    g = _build(p, rest, lay, allowed, np.zeros(p.shape, np.int64))
    if (rest.min_load > 0).any():
        return _solve_flow(g) is not None
    n_j, n_e = p.shape
    sink = g.n_nodes
    mf = max_flow.SimpleMaxFlow()
    tails = np.concatenate([g.tails, n_j + np.arange(n_e, dtype=np.int32)])
    heads = np.concatenate([g.heads, np.full(n_e, sink, np.int32)])
    caps = np.concatenate([g.caps, rest.k])
    mf.add_arcs_with_capacity(tails.astype(np.int32), heads.astype(np.int32), caps.astype(np.int64))
    if mf.solve(lay.src, sink) != mf.OPTIMAL:
        raise RuntimeError("max flow failed")
    return int(mf.optimal_flow()) >= int(rest.k.sum())


def solve_fair(p: Problem) -> Solution:
    """Largest threshold T with a feasible assignment using only pairs ``>= T``; then max total under it."""
    t0 = time.perf_counter()
    rest = _residual(p)
    if not _pins_ok(p, rest):
        _fail(p)
    base = _max_total(p, rest, rest.allowed)
    if base is None:
        _fail(p)
    assigned0 = base[0]  # type: ignore[index]
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
        if _feasible(p, rest, rest.allowed & (a >= vals[mid])):
            best, left = mid, mid + 1
        else:
            right = mid - 1
    threshold = float(vals[best]) if len(vals) else lo
    allowed_t = rest.allowed & (a >= threshold)
    out = _max_total(p, rest, allowed_t)
    assert out is not None  # feasible by construction
    bound = _worst_entry_bound(p, rest)
    rounds = out[3] + checks + base[3]  # type: ignore[index]
    best_sol = _finish(p, out[0], "fair")
    # re-weighting, first within the threshold, then (if the bound is not reached) over all allowed pairs
    # starting from the optimal-total solution; the best worst entry over everything tried is kept
    for start, pairs in ((best_sol, allowed_t), (_finish(p, assigned0, "fair"), rest.allowed)):
        if (start.worst_entry_mean, start.total_affinity) > (best_sol.worst_entry_mean, best_sol.total_affinity):
            best_sol = start
        sol, weights, stale = start, np.ones(a.shape[1]), 0
        for _ in range(FAIR_ROUNDS):
            if best_sol.worst_entry_mean >= bound - 1e-9 or stale >= FAIR_PATIENCE:
                break
            means = _entry_means(p, sol.assigned)
            spread = float(np.nanstd(means)) + 1e-9
            gap = np.clip(np.nanmedian(means) - np.nan_to_num(means), 0, None)
            weights = weights * np.exp(FAIR_ETA * gap / spread)
            weights /= weights.mean()
            out = _max_total(p, rest, pairs, weights=weights)
            assert out is not None
            rounds += out[3]
            sol = _finish(p, out[0], "fair")
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


def _entry_means(p: Problem, assigned: np.ndarray) -> np.ndarray:
    counts = assigned.sum(axis=0)
    sums = np.where(assigned, p.affinity, 0.0).sum(axis=0)
    return np.divide(sums, counts, out=np.full(len(counts), np.nan), where=counts > 0)


def _worst_entry_bound(p: Problem, rest: _Residual) -> float:
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


def _pins_ok(p: Problem, rest: _Residual) -> bool:
    pins = set(p.pinned)
    if any(not p.allowed[j, e] for j, e in pins):
        return False
    return not ((rest.k < 0).any() or (rest.max_load < 0).any() or (rest.min_load > rest.max_load).any())


SOLVERS = {"optimal": solve_optimal, "fair": solve_fair}


def solve(p: Problem, mode: str = "optimal") -> Solution:
    """Solve with the solver named ``mode``; an unknown name is an error listing the known ones."""
    try:
        fn = SOLVERS[mode]
    except KeyError:
        raise InputError(f"unknown matching mode {mode!r}", hint=f"use one of: {', '.join(SOLVERS)}") from None
    return fn(p)


def full_min_cost_flow(p: Problem) -> Solution:
    """Baseline: one min-cost flow over every allowed pair (no restriction, no certification step)."""
    t0 = time.perf_counter()
    rest = _residual(p)
    out = _max_total(p, rest, rest.allowed, m=p.shape[0])
    if out is None:
        _fail(p)
    assigned, _, _, rounds, arcs = out  # type: ignore[misc]
    return _finish(p, assigned, "optimal", rounds=rounds, edges=arcs, seconds=time.perf_counter() - t0)
