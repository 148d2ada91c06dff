"""Jury matching: encode (affinity, conflicts) → solve (min-cost flow) → decode (a draft suggestion)."""
from __future__ import annotations

from review_service.stages.matching.affinity import Affinity, compute_affinity
from review_service.stages.matching.assignment_problem import Problem, Solution, make_problem
from review_service.stages.matching.conflicts import Conflict, find_conflicts, same_organization
from review_service.stages.matching.core import MatchResult, match
from review_service.stages.matching.profiles import read_jurors
from review_service.stages.matching.solver import solve

__all__ = ["Affinity", "Conflict", "MatchResult", "Problem", "Solution", "compute_affinity", "find_conflicts",
           "make_problem", "match", "read_jurors", "same_organization", "solve"]
