"""The solver on small hand-written matrices, checked against brute force."""
from __future__ import annotations

import itertools

import numpy as np
import pytest

from review_service.core.errors import InfeasibleAssignment, InputError
from review_service.stages.matching.assignment_problem import make_problem
from review_service.stages.matching.solver import full_min_cost_flow, solve


def brute(a, allowed, k, lo, hi, pinned=(), region=None, cap=None):
    """All assignments by enumeration: list of (assigned matrix) that satisfy every constraint."""
    n_j, n_e = a.shape
    per_entry = []
    for e in range(n_e):
        opts = [c for c in itertools.combinations(range(n_j), k)
                if all(allowed[j, e] for j in c) and all(j in c for j, ee in pinned if ee == e)]
        if region is not None and cap is not None:
            opts = [c for c in opts if max(np.bincount([region[j] for j in c])) <= cap]
        per_entry.append(opts)
    out = []
    for combo in itertools.product(*per_entry):
        m = np.zeros((n_j, n_e), bool)
        for e, c in enumerate(combo):
            m[list(c), e] = True
        load = m.sum(1)
        if (load <= hi).all() and (load >= lo).all():
            out.append(m)
    return out


def total(a, m):
    return float(a[m].sum())


def worst_mean(a, m):
    return min(a[m[:, e], e].mean() for e in range(a.shape[1]))


A = np.array([
    [0.9, 0.8, 0.1, 0.2],
    [0.85, 0.1, 0.7, 0.3],
    [0.2, 0.75, 0.6, 0.9],
    [0.3, 0.2, 0.95, 0.1],
    [0.5, 0.5, 0.5, 0.5],
])


@pytest.mark.parametrize("seed", range(6))
def test_optimal_matches_brute_force_on_random_small_instances(seed):
    rng = np.random.default_rng(seed)
    a = np.round(rng.random((5, 4)), 3)
    allowed = rng.random((5, 4)) > 0.2
    lo = np.array([1, 0, 0, 1, 0])
    hi = np.array([2, 3, 2, 2, 3])
    sols = brute(a, allowed, 2, lo, hi)
    if not sols:
        with pytest.raises(InfeasibleAssignment):
            solve(make_problem(a, allowed, k=2, min_load=lo, max_load=hi))
        return
    best = max(total(a, m) for m in sols)
    s = solve(make_problem(a, allowed, k=2, min_load=lo, max_load=hi))
    assert s.total_affinity == pytest.approx(best, abs=1e-5)
    assert (s.assigned.sum(0) == 2).all()
    assert not (s.assigned & ~allowed).any()
    assert ((s.assigned.sum(1) <= hi) & (s.assigned.sum(1) >= lo)).all()


def test_hand_matrix_optimum_and_loads():
    hi = np.array([1, 1, 2, 1, 2])
    s = solve(make_problem(A, k=1, max_load=hi))
    # entry 0 → juror 0, 1 → 2, 2 → 3, 3 → 2
    assert [int(np.nonzero(s.assigned[:, e])[0][0]) for e in range(4)] == [0, 2, 3, 2]
    assert s.total_affinity == pytest.approx(0.9 + 0.75 + 0.95 + 0.9)


def test_pins_and_forbidden_pairs_are_kept():
    allowed = np.ones_like(A, bool)
    allowed[0, 0] = False  # forbid the best pair of entry 0
    s = solve(make_problem(A, allowed, k=2, max_load=3, pinned=((4, 2),)))
    assert not s.assigned[0, 0]
    assert s.assigned[4, 2]
    best = max(total(A, m) for m in brute(A, allowed, 2, np.zeros(5), np.full(5, 3), pinned=((4, 2),)))
    assert s.total_affinity == pytest.approx(best)


def test_region_cap_matches_brute_force():
    region = np.array([0, 0, 1, 1, 0])
    s = solve(make_problem(A, k=2, max_load=2, region=region, region_cap=1))
    for e in range(4):
        assert np.bincount(region[s.assigned[:, e]], minlength=2).max() <= 1
    best = max(total(A, m) for m in brute(A, np.ones_like(A, bool), 2, np.zeros(5), np.full(5, 2),
                                          region=region, cap=1))
    assert s.total_affinity == pytest.approx(best)


@pytest.mark.parametrize("seed", range(4))
def test_fair_mode_reaches_max_min_entry_mean_on_small_instances(seed):
    rng = np.random.default_rng(100 + seed)
    a = np.round(rng.random((5, 4)), 3)
    hi = np.full(5, 2)
    sols = brute(a, np.ones_like(a, bool), 2, np.zeros(5), hi)
    best_worst = max(worst_mean(a, m) for m in sols)
    best_min_pair = max(a[m].min() for m in sols)
    s = solve(make_problem(a, k=2, max_load=hi), mode="fair")
    assert a[s.assigned].min() == pytest.approx(s.threshold)
    # at least as good for the worst entry as the best solution whose pairs all clear the bottleneck
    thresholded = max(worst_mean(a, m) for m in sols if a[m].min() >= best_min_pair - 1e-12)
    assert s.worst_entry_mean >= thresholded - 1e-12
    assert s.worst_entry_mean <= s.worst_entry_bound + 1e-12
    # the worst-served entry is at least as well off as under the optimal-total solution
    opt = solve(make_problem(a, k=2, max_load=hi))
    assert s.worst_entry_mean >= opt.worst_entry_mean - 1e-12
    assert s.worst_entry_mean <= best_worst + 1e-12


def test_restricted_flow_is_certified_equal_to_full_flow_on_a_larger_instance():
    rng = np.random.default_rng(7)
    topics_j, topics_e = rng.dirichlet(np.ones(8) * 0.3, 120), rng.dirichlet(np.ones(8) * 0.3, 300)
    a = topics_j @ topics_e.T + rng.normal(0, 0.02, (120, 300))
    allowed = rng.random(a.shape) > 0.02
    p = make_problem(a, allowed, k=3, max_load=9, min_load=1)
    fast, full = solve(p), full_min_cost_flow(p)
    assert fast.edges < full.edges  # the restriction was used...
    assert fast.integer_cost == full.integer_cost  # ...and the optimum is the same
    assert not (fast.assigned & ~allowed).any()


def test_unknown_mode_lists_known_ones():
    with pytest.raises(InputError, match="optimal, fair"):
        solve(make_problem(A, k=1), mode="minmax")


def test_infeasible_total_capacity_says_how_many_slots_are_missing():
    with pytest.raises(InfeasibleAssignment, match=r"capacity is 5 slots .* need 8; missing 3"):
        solve(make_problem(A, k=2, max_load=1))


def test_infeasible_entry_with_too_few_allowed_jurors_names_reasons():
    lang = np.zeros_like(A, bool)
    lang[:3, 1] = True
    conflict = np.zeros_like(A, bool)
    conflict[3, 1] = True
    p = make_problem(A, ~(lang | conflict), k=2, max_load=4, blocked={"language": lang, "conflict": conflict},
                     entry_ids=("e0", "e1", "e2", "e3"))
    with pytest.raises(InfeasibleAssignment) as err:
        solve(p)
    text = str(err.value)
    assert "e1 (1 of 5 allowed; blocked: 3 by language; 1 by conflict)" in text


def test_infeasible_hall_violation_found_by_min_cut():
    # entries 0 and 1 may only use jurors 0 and 1 (k=2 each → 4 slots) but those jurors have max_load 1
    allowed = np.ones_like(A, bool)
    allowed[2:, :2] = False
    p = make_problem(A, allowed, k=2, max_load=np.array([1, 1, 4, 4, 4]),
                     entry_ids=("e0", "e1", "e2", "e3"), juror_ids=tuple("abcde"))
    with pytest.raises(InfeasibleAssignment) as err:
        solve(p)
    text = str(err.value)
    assert "2 entries need 4 juror slots" in text and "give only 2; missing 2" in text
    assert "e0, e1" in text


def test_pinned_conflict_is_reported():
    allowed = np.ones_like(A, bool)
    allowed[1, 2] = False
    p = make_problem(A, allowed, k=1, pinned=((1, 2),), blocked={"conflict": ~allowed},
                     juror_ids=tuple("abcde"), entry_ids=("e0", "e1", "e2", "e3"))
    with pytest.raises(InfeasibleAssignment, match=r"pinned pair b → e2 is blocked \(conflict\)"):
        solve(p)


def test_certification_with_region_cap_min_loads_and_pins_matches_full_flow():
    rng = np.random.default_rng(3)
    a = rng.dirichlet(np.ones(6) * 0.3, 60) @ rng.dirichlet(np.ones(6) * 0.3, 150).T
    allowed = rng.random(a.shape) > 0.05
    allowed[0, 0] = allowed[5, 7] = True
    region = rng.integers(0, 4, 60)
    p = make_problem(a, allowed, k=3, max_load=10, min_load=2, region=region, region_cap=1,
                     pinned=((0, 0), (5, 7)))
    fast, full = solve(p), full_min_cost_flow(p)
    assert fast.integer_cost == full.integer_cost
    assert fast.assigned[0, 0] and fast.assigned[5, 7]
    assert (fast.assigned.sum(1) >= 2).all() and (fast.assigned.sum(1) <= 10).all()
    for e in range(150):
        assert np.bincount(region[fast.assigned[:, e]], minlength=4).max() <= 1
