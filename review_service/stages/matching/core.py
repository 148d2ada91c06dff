"""Jury matching, encode → solve → decode.

* encode: jurors and entries → affinity matrix (:mod:`.affinity`), allowed mask with a reason per block
  (language, conflicts of interest from :mod:`.conflicts`, forbidden pairs), loads, pins, regions;
* solve: :mod:`.solver` (``optimal`` or ``fair``);
* decode: a :class:`MatchResult` — per entry the suggested jurors with affinity and explanation, per juror the
  load, the conflicts found, solver figures and provenance. It is a **draft suggestion**: a person confirms
  the final assignment elsewhere. The ASSIGNMENT.json layout is documented in docs/matching.md.
"""
from __future__ import annotations

import hashlib
import json
import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import numpy as np

from review_service.core.domain import Document, Juror
from review_service.core.errors import InputError
from review_service.stages.matching.affinity import (
    ENTRY_KIND,
    LEXICAL_WEIGHT,
    TOP_ITEMS,
    Affinity,
    compute_affinity,
)
from review_service.stages.matching.assignment_problem import Solution, make_problem
from review_service.stages.matching.conflicts import Conflict, conflict_mask, find_conflicts
from review_service.stages.matching.solver import solve

logger = logging.getLogger(__name__)

FORMAT = "review-service/assignment-suggestion@1"


def entry_language(doc: Document) -> str:
    if doc.lang and doc.lang != "und":
        return doc.lang
    from review_service.core.language import detect_language

    return detect_language(f"{doc.title}\n{doc.text}"[:4000])


def language_block(jurors: Sequence[Juror], langs: Sequence[str]) -> np.ndarray:
    """True where the juror does not read the entry's language (no languages listed = reads everything)."""
    mask = np.zeros((len(jurors), len(langs)), dtype=bool)
    for j, juror in enumerate(jurors):
        if juror.languages:
            reads = set(juror.languages)
            mask[j] = [lang not in ("und", "") and lang not in reads for lang in langs]
    return mask


def parse_pairs(pairs: Sequence[str | tuple[str, str]], jurors: Sequence[str], entries: Sequence[str],
                what: str) -> list[tuple[int, int]]:
    """``"JUROR:ENTRY"`` strings (ids may contain ':'; the split that names a known pair is used)."""
    jpos = {j: i for i, j in enumerate(jurors)}
    epos = {e: i for i, e in enumerate(entries)}
    out = []
    for raw in pairs:
        if isinstance(raw, tuple):
            cands = [raw]
        else:
            cands = [(raw[:i], raw[i + 1:]) for i, c in enumerate(raw) if c == ":"]
        hit = next(((jpos[a], epos[b]) for a, b in cands if a in jpos and b in epos), None)
        if hit is None:
            raise InputError(f"{what} {raw!r} does not name a known juror and entry",
                             hint=f"write {what} as JUROR_ID:ENTRY_ID")
        out.append(hit)
    return out


@dataclass(frozen=True)
class MatchResult:
    jurors: tuple[Juror, ...]
    entries: tuple[Document, ...]
    languages: tuple[str, ...]
    affinity: Affinity
    solution: Solution
    conflicts: tuple[Conflict, ...]
    pinned: tuple[tuple[int, int], ...]
    forbidden: tuple[tuple[int, int], ...]
    options: dict
    max_loads: tuple[int, ...]
    min_loads: tuple[int, ...]
    input_hash: str

    def as_dict(self, *, explain: bool = True) -> dict:
        """The ASSIGNMENT.json object (see docs/matching.md)."""
        sol, aff = self.solution, self.affinity
        pins = set(self.pinned)
        entries: dict[str, dict[str, Any]] = {}
        for e, doc in enumerate(self.entries):
            js = np.nonzero(sol.assigned[:, e])[0]
            js = js[np.argsort(-aff.scores[js, e])]
            rows = []
            for j in js:
                row = {"juror": self.jurors[j].id, "name": self.jurors[j].name,
                       "affinity": round(float(aff.scores[j, e]), 4), "pinned": (int(j), e) in pins}
                if explain and aff.items:
                    row["explanation"] = aff.explain(int(j), e).as_dict()
                rows.append(row)
            vals = aff.scores[js, e]
            entries[doc.id] = {"title": doc.title, "language": self.languages[e], "jurors": rows,
                               "mean_affinity": round(float(vals.mean()), 4) if len(vals) else None}
        loads = sol.assigned.sum(axis=1)
        jurors = {jr.id: {"name": jr.name, "load": int(loads[j]), "min_load": self.min_loads[j],
                          "max_load": self.max_loads[j],
                          "entries": [self.entries[e].id for e in np.nonzero(sol.assigned[j])[0]]}
                  for j, jr in enumerate(self.jurors)}
        means = [float(v["mean_affinity"]) for v in entries.values() if v["mean_affinity"] is not None]
        worst = min(entries, key=lambda k: entries[k]["mean_affinity"] or math.inf) if entries else None
        return {
            "format": FORMAT,
            "status": "draft",
            "note": "AI suggestion for the organisers; a person confirms the final assignment. Not a decision.",
            "provenance": {"model": aff.model, "model_revision": aff.model_revision, "input_hash": self.input_hash,
                           "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
                           "method": f"affinity: chunk embeddings vs profile items blended with TF-IDF "
                                     f"(weight {LEXICAL_WEIGHT}, same language only), mean of the best "
                                     f"{TOP_ITEMS} items; solver: min-cost flow (OR-Tools)"},
            "solver": {"mode": sol.mode, **self.options, "certified_optimal": sol.certified,
                       "threshold": sol.threshold, "flow_rounds": sol.rounds, "pairs_in_last_flow": sol.edges,
                       "seconds": round(sol.seconds, 3)},
            "objective": {"total_affinity": round(sol.total_affinity, 4),
                          "mean_affinity": round(float(np.mean(means)), 4) if means else None,
                          "worst_entry_mean": round(sol.worst_entry_mean, 4), "worst_entry": worst,
                          "worst_entry_bound": None if sol.worst_entry_bound is None
                          else round(sol.worst_entry_bound, 4)},
            "entries": entries,
            "jurors": jurors,
            "conflicts": [c.as_dict() for c in self.conflicts],
            "pinned": [f"{self.jurors[j].id}:{self.entries[e].id}" for j, e in self.pinned],
            "forbidden": [f"{self.jurors[j].id}:{self.entries[e].id}" for j, e in self.forbidden],
        }


def suggestion_matrix(result: MatchResult) -> dict:
    """What re-solving under an organizer's pins and forbids needs, without the embedder: the affinity matrix,
    the allowed mask (language and conflicts of interest folded in), loads and k."""
    jids, eids = [j.id for j in result.jurors], [d.id for d in result.entries]
    blocked = language_block(result.jurors, result.languages) | conflict_mask(result.conflicts, jids, eids)
    return {"jurors": jids, "entries": eids, "affinity": np.round(result.affinity.scores, 6).tolist(),
            "allowed": (~blocked).astype(int).tolist(), "k": result.options["k"],
            "min_load": list(result.min_loads), "max_load": list(result.max_loads)}


def _hash(jurors: Sequence[Juror], entries: Sequence[Document], options: dict) -> str:
    h = hashlib.sha256()
    for j in jurors:
        h.update(json.dumps([j.id, j.organization, j.languages, j.expertise, [(w.id, w.title, w.text)
                                                                             for w in j.works]],
                            ensure_ascii=False).encode())
    for d in entries:
        h.update(json.dumps([d.id, d.title, d.text, d.lang], ensure_ascii=False).encode())
    h.update(json.dumps(options, sort_keys=True).encode())
    return "sha256:" + h.hexdigest()


def default_max_load(k: int, n_entries: int, n_jurors: int) -> int:
    """Balanced loads with one slot of slack: ceil(k × entries / jurors) + 1."""
    return math.ceil(k * n_entries / max(1, n_jurors)) + 1


def match(jurors: Sequence[Juror], entries: Sequence[Document], k: int = 3, *, encoder=None,
          affinity: Affinity | None = None, mode: str = "optimal", min_load: int = 0,
          max_load: int | None = None, pins: Sequence[str | tuple[str, str]] = (),
          forbids: Sequence[str | tuple[str, str]] = (), region_cap: int | None = None,
          entry_kind: str | None = None) -> MatchResult:
    """Suggest ``k`` jurors per entry. Per-juror ``max_load``/``min_load`` in the profiles win over the
    arguments; without either, loads are balanced (:func:`default_max_load`). ``entry_kind``: the prompt entry
    chunks are encoded with (default :data:`.affinity.ENTRY_KIND`; ``screen`` passes ``document`` to reuse the
    batch's chunk vectors)."""
    jurors, entries = tuple(jurors), tuple(entries)
    if not jurors or not entries:
        raise InputError("matching needs at least one juror and one entry")
    if k < 1:
        raise InputError(f"k must be at least 1, got {k}")
    if affinity is None:
        if encoder is None:
            raise InputError("pass an encoder or precomputed affinity")
        affinity = compute_affinity(jurors, entries, encoder, entry_kind=entry_kind or ENTRY_KIND)
    jids, eids = tuple(j.id for j in jurors), tuple(d.id for d in entries)
    if affinity.juror_ids != jids or affinity.entry_ids != eids:
        raise InputError("affinity ids do not match the jurors and entries given")
    langs = tuple(entry_language(d) for d in entries)
    conflicts = tuple(find_conflicts(jurors, entries))
    pinned = parse_pairs(pins, jids, eids, "pin")
    forbidden = parse_pairs(forbids, jids, eids, "forbid")
    forbid_mask = np.zeros((len(jurors), len(entries)), dtype=bool)
    for j, e in forbidden:
        forbid_mask[j, e] = True
    blocked = {"language": language_block(jurors, langs),
               "conflict of interest": conflict_mask(conflicts, jids, eids), "forbidden pair": forbid_mask}
    allowed = ~(blocked["language"] | blocked["conflict of interest"] | blocked["forbidden pair"])
    cap = max_load if max_load is not None else default_max_load(k, len(entries), len(jurors))
    hi = np.array([j.max_load if j.max_load is not None else cap for j in jurors], dtype=np.int64)
    lo = np.array([j.min_load or min_load for j in jurors], dtype=np.int64)
    regions = sorted({j.region.strip().lower() for j in jurors if j.region.strip()})
    rpos = {r: i for i, r in enumerate(regions)}
    region = np.array([rpos.get(j.region.strip().lower(), -1) for j in jurors], dtype=np.int64)
    options = {"k": k, "min_load": min_load, "max_load": cap, "region_cap": region_cap}
    problem = make_problem(affinity.scores, allowed, k=k, min_load=lo, max_load=hi, pinned=tuple(pinned),
                           region=region if region_cap is not None else None, region_cap=region_cap,
                           blocked=blocked, juror_ids=jids, entry_ids=eids, entry_groups=langs)
    solution = solve(problem, mode)
    logger.info("matched %d entries × %d jurors (%s): total %.3f, worst entry %.3f", len(entries),
                len(jurors), mode, solution.total_affinity, solution.worst_entry_mean)
    return MatchResult(jurors, entries, langs, affinity, solution, conflicts, tuple(pinned), tuple(forbidden),
                       options, tuple(int(x) for x in hi), tuple(int(x) for x in lo),
                       _hash(jurors, entries, {**options, "mode": mode, "pins": sorted(map(str, pins)),
                                               "forbids": sorted(map(str, forbids))}))
