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
:mod:`review_service.stages.matching.diagnose`. The instance and its solution are in
:mod:`~review_service.stages.matching.assignment_problem`, the flow network both modes solve in
:mod:`~review_service.stages.matching.flow_graph`, the fair mode in :mod:`~review_service.stages.matching.fair_mode`.
"""
from __future__ import annotations

import time
from collections.abc import Callable

from review_service.core.errors import InputError
from review_service.stages.matching.assignment_problem import Problem, Solution
from review_service.stages.matching.diagnose import infeasible_error
from review_service.stages.matching.fair_mode import solve_fair
from review_service.stages.matching.flow_graph import finish, max_total, pins_ok, residual

MODES = ("optimal", "fair")


def solve_optimal(p: Problem) -> Solution:
    """Maximum total affinity subject to all hard constraints (exact; see the module docstring)."""
    t0 = time.perf_counter()
    rest = residual(p)
    if not pins_ok(p, rest):
        raise infeasible_error(p)
    out = max_total(p, rest, rest.allowed)
    if out is None:
        raise infeasible_error(p)
    assigned, _, certified, rounds, arcs = out
    return finish(p, assigned, "optimal", certified=certified, rounds=rounds, edges=arcs,
                  seconds=time.perf_counter() - t0)


SOLVERS: dict[str, Callable[[Problem], Solution]] = {"optimal": solve_optimal, "fair": solve_fair}


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
    rest = residual(p)
    out = max_total(p, rest, rest.allowed, m=p.shape[0])
    if out is None:
        raise infeasible_error(p)
    assigned, _, _, rounds, arcs = out
    return finish(p, assigned, "optimal", rounds=rounds, edges=arcs, seconds=time.perf_counter() - t0)
