"""Solver benchmark on generated instances (topic-structured affinities, 2 % conflicts, k = 3).

For each size (entries × jurors): time, peak Python/numpy memory (tracemalloc), total affinity, worst entry's
mean affinity and conflicts violated, for our solver (optimal and fair modes) and, in the same run, for
baselines: one plain min-cost flow over all allowed pairs (OR-Tools), and an LP (scipy HiGHS) where cheap.

    .venv/bin/python bench/bench_matching.py [--sizes 300x40,2000x600] [--repeat 3] [--slack 1]

Targets: 2,000 × 600 in ≤ 8 s with total affinity ≥ the min-cost-flow optimum; 300 × 40 in ≤ 0.1 s.
"""
from __future__ import annotations

import argparse
import math
import resource
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from review_service.stages.matching.assignment_problem import make_problem
from review_service.stages.matching.solver import full_min_cost_flow, solve


def instance(n_entries: int, n_jurors: int, *, topics: int = 25, conflict_rate: float = 0.02, seed: int = 0):
    """Jurors and entries are sparse topic mixtures; affinity = cosine of the mixtures + noise, in [0, 1]."""
    rng = np.random.default_rng(seed)
    tj = rng.dirichlet(np.full(topics, 0.2), n_jurors)
    te = rng.dirichlet(np.full(topics, 0.2), n_entries)
    tj /= np.linalg.norm(tj, axis=1, keepdims=True)
    te /= np.linalg.norm(te, axis=1, keepdims=True)
    a = np.clip(tj @ te.T + rng.normal(0, 0.05, (n_jurors, n_entries)), 0, 1)
    conflicts = rng.random(a.shape) < conflict_rate
    return a, conflicts


def lp_baseline(p):
    """Exact LP relaxation (totally unimodular here, so integral) with scipy's HiGHS; full edge set."""
    from scipy.optimize import linprog
    from scipy.sparse import coo_matrix

    jj, ee = np.nonzero(p.allowed)
    n = len(jj)
    rows_e = coo_matrix((np.ones(n), (ee, np.arange(n))), shape=(p.shape[1], n))
    rows_j = coo_matrix((np.ones(n), (jj, np.arange(n))), shape=(p.shape[0], n))
    from scipy.sparse import vstack

    res = linprog(-p.affinity[jj, ee], A_ub=vstack([rows_j, -rows_j]).tocsr(),
                  b_ub=np.concatenate([p.max_load, -p.min_load]), A_eq=rows_e.tocsr(), b_eq=p.k,
                  bounds=(0, 1), method="highs")
    x = res.x > 0.5
    m = np.zeros(p.shape, bool)
    m[jj[x], ee[x]] = True
    return m


def measure(fn, repeat: int):
    best, out, peak = math.inf, None, 0
    for i in range(repeat):
        if i == 0:
            tracemalloc.start()
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
        if i == 0:
            peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
    return out, best, peak


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", default="300x40,2000x600", help="ENTRIESxJURORS,…")
    ap.add_argument("--repeat", type=int, default=3, help="runs per solver; the best time is reported")
    ap.add_argument("--slack", type=int, default=1, help="max_load = ceil(k × entries / jurors) + slack")
    ap.add_argument("--lp-max-pairs", type=int, default=200_000, help="run the LP baseline up to this many pairs")
    args = ap.parse_args()
    k = 3
    print(f"{'instance':>10s} {'solver':24s} {'sec':>8s} {'peak MiB':>9s} {'total aff':>11s} {'worst entry':>11s} "
          f"{'violated':>8s} {'int cost':>14s}")
    for size in args.sizes.split(","):
        n_e, n_j = (int(x) for x in size.lower().split("x"))
        a, conflicts = instance(n_e, n_j)
        max_load = math.ceil(k * n_e / n_j) + args.slack
        p = make_problem(a, ~conflicts, k=k, max_load=max_load)
        runs = {
            "ours optimal": lambda p=p: solve(p, "optimal"),
            "ours fair": lambda p=p: solve(p, "fair"),
            "baseline full min-cost flow": lambda p=p: full_min_cost_flow(p),
        }
        if p.allowed.sum() <= args.lp_max_pairs:
            runs["baseline LP (HiGHS)"] = lambda p=p: lp_baseline(p)
        results = {}
        for name, fn in runs.items():
            out, sec, peak = measure(fn, args.repeat if "LP" not in name else 1)
            assigned = out if isinstance(out, np.ndarray) else out.assigned
            total = float(a[assigned].sum())
            means = np.array([a[assigned[:, e], e].mean() for e in range(n_e)])
            violated = int((assigned & conflicts).sum())
            icost = int(-np.rint(a[assigned] * 1_000_000).astype(np.int64).sum())
            ok = (assigned.sum(0) == k).all() and (assigned.sum(1) <= max_load).all()
            results[name] = (sec, total, icost)
            print(f"{size:>10s} {name:24s} {sec:8.3f} {peak / 2**20:9.1f} {total:11.4f} {means.min():11.4f} "
                  f"{violated:8d} {icost:14d}{'' if ok else '  CONSTRAINTS BROKEN'}")
            if hasattr(out, "worst_entry_bound") and out.worst_entry_bound is not None:
                print(f"{'':>10s} {'':24s} fair: threshold {out.threshold:.4f}, worst-entry upper bound "
                      f"{out.worst_entry_bound:.4f}")
        base_sec, base_total, base_cost = results["baseline full min-cost flow"]
        sec, total, cost = results["ours optimal"]
        print(f"{size:>10s} ours optimal vs full min-cost flow: {base_sec / sec:.1f}× faster; total affinity "
              f"{total - base_total:+.6f} (integer objective {'equal' if cost == base_cost else 'DIFFERENT'})")
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"process peak RSS {rss:.0f} MiB (all runs; includes OR-Tools' C++ memory)")
    print("reference (issue): OpenReview MinMax matcher 78 s on 2,000 × 600")


if __name__ == "__main__":
    main()
