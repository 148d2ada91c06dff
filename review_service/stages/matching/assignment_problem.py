"""A matching instance and its solution: the matrices the solvers (:mod:`review_service.stages.matching.solver`)
take and return, built and checked by :func:`make_problem`."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from review_service.core.errors import InputError


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
        return self.affinity.shape


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
