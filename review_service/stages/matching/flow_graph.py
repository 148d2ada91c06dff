"""The flow network under both solver modes: the problem left after the pins (:class:`Residual`), its nodes and
arcs (:class:`Layout`, :func:`build_graph`), one min-cost flow (:func:`solve_flow`), and max total affinity by the
restricted-then-certified scheme (:func:`max_total`, see :mod:`review_service.stages.matching.solver`); max-flow
feasibility (:func:`feasible`) for the fair mode's threshold search. Pure functions over matrices."""
from __future__ import annotations

import logging
from dataclasses import dataclass, replace

import numpy as np
from ortools.graph.python import max_flow, min_cost_flow

from review_service.stages.matching.assignment_problem import Problem, Solution

logger = logging.getLogger(__name__)

SCALE = 1_000_000  # affinities are rounded to 1e-6 for the integer flow costs


@dataclass(frozen=True)
class FlowGraph:
    n_nodes: int
    tails: np.ndarray
    heads: np.ndarray
    caps: np.ndarray
    costs: np.ndarray
    supplies: np.ndarray
    pair_j: np.ndarray  # the juror–entry arcs (first len(pair_j) arcs of the graph)
    pair_e: np.ndarray


class Layout:
    """Node numbering: jurors, entries, source, then one node per (entry, region) when a region cap is set."""

    def __init__(self, p: Problem, rest: Residual) -> None:
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
class Residual:
    """The problem left after the pinned pairs are fixed."""

    allowed: np.ndarray
    k: np.ndarray
    min_load: np.ndarray
    max_load: np.ndarray
    region_used: dict[int, int]


def residual(p: Problem) -> Residual:
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
    return Residual(allowed, k, lo, hi, used)


def build_graph(p: Problem, rest: Residual, lay: Layout, mask: np.ndarray, costs: np.ndarray) -> FlowGraph:
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
    return FlowGraph(lay.n_nodes, np.concatenate(tails).astype(np.int32), np.concatenate(heads).astype(np.int32),
                  np.concatenate(caps), np.concatenate(cost), supplies, jj, ee)


def solve_flow(g: FlowGraph) -> tuple[np.ndarray, int] | None:
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


def potentials(g: FlowGraph, flows: np.ndarray, max_iter: int | None = None) -> np.ndarray | None:
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


def candidates(a: np.ndarray, allowed: np.ndarray, rest: Residual, m: int) -> np.ndarray:
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


def max_total(p: Problem, rest: Residual, allowed: np.ndarray, m: int | None = None,
              weights: np.ndarray | None = None) -> tuple[np.ndarray, int, bool, int, int] | None:
    """Max total affinity over ``allowed`` pairs, with the restricted-then-certified scheme.

    Returns (assigned pairs of the residual problem, integer cost, certified, rounds, arcs) or None
    when infeasible on the full edge set.
    """
    n_j, n_e = p.shape
    a = p.affinity if weights is None else p.affinity * weights[None, :]
    costs = -np.rint(a * SCALE).astype(np.int64)
    lay = Layout(p, replace(rest, allowed=allowed))
    k_max = int(rest.k.max(initial=0))
    m = m or max(4 * k_max + 8, 20)
    mask = candidates(p.affinity, allowed, rest, m) if m < n_j else allowed.copy()
    rounds = 0
    while True:
        rounds += 1
        g = build_graph(p, rest, lay, mask, costs)
        res = solve_flow(g)
        full = bool(np.array_equal(mask, allowed))
        if res is None:
            if full:
                return None
            m = min(n_j, 2 * m)
            logger.debug("restricted flow infeasible; widening to top-%d jurors per entry", m)
            mask |= candidates(p.affinity, allowed, rest, m)
            continue
        flows, cost = res
        if full:
            break
        d = potentials(g, flows)
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



def feasible(p: Problem, rest: Residual, allowed: np.ndarray) -> bool:
    """Whether some assignment uses only ``allowed`` pairs (max flow; a zero-cost flow when min loads exist)."""
    lay = Layout(p, replace(rest, allowed=allowed))
    g = build_graph(p, rest, lay, allowed, np.zeros(p.shape, np.int64))
    if (rest.min_load > 0).any():
        return solve_flow(g) is not None
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


def finish(p: Problem, assigned_rest: np.ndarray, mode: str, **kw) -> Solution:
    assigned = assigned_rest.copy()
    for j, e in p.pinned:
        assigned[j, e] = True
    means = entry_means(p, assigned)
    total = float(p.affinity[assigned].sum())
    worst = float(np.nanmin(means)) if np.isfinite(means).any() else float("nan")
    icost = int(-np.rint(p.affinity[assigned] * SCALE).astype(np.int64).sum())
    return Solution(assigned, mode, total, worst, integer_cost=icost, **kw)


def entry_means(p: Problem, assigned: np.ndarray) -> np.ndarray:
    counts = assigned.sum(axis=0)
    sums = np.where(assigned, p.affinity, 0.0).sum(axis=0)
    return np.divide(sums, counts, out=np.full(len(counts), np.nan), where=counts > 0)


def pins_ok(p: Problem, rest: Residual) -> bool:
    pins = set(p.pinned)
    if any(not p.allowed[j, e] for j, e in pins):
        return False
    return not ((rest.k < 0).any() or (rest.max_load < 0).any() or (rest.min_load > rest.max_load).any())
