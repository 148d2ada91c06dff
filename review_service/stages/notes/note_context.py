"""What the other stages say about an entry, attached to its note as they are: the duplicate flags it is in
(with the passages from this entry's side), the eligibility checks it did not pass, similar past projects."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from review_service.core.domain import Check, DuplicateFlag
from review_service.stages.notes.note_types import DraftNote


def _similar_row(item: Any) -> dict[str, Any]:
    if isinstance(item, dict):
        return {k: item[k] for k in ("id", "title", "year", "similarity") if k in item}
    if isinstance(item, (tuple, list)):
        return {"id": str(item[0]), "similarity": round(float(item[1]), 3)}
    return {"id": str(getattr(item, "id", item))}


def context_rows(doc_id: str, *, flags: Sequence[DuplicateFlag] = (), checks: Sequence[Check] = (),
                 similar: Sequence[Any] = ()) -> dict[str, tuple[dict[str, Any], ...]]:
    """Duplicate flags for this entry, eligibility advice (checks that did not pass), similar past projects."""
    dups = []
    for f in flags:
        if doc_id not in (f.a, f.b):
            continue
        mine_is_a = f.a == doc_id
        dups.append({
            "other": f.b if mine_is_a else f.a, "kind": f.kind, "similarity": round(float(f.score), 3),
            "other_is_archive": f.b_is_archive if mine_is_a else False,
            "passages": [{"this": e.a_text if mine_is_a else e.b_text,
                          "this_anchor": e.a_anchor if mine_is_a else e.b_anchor,
                          "other": e.b_text if mine_is_a else e.a_text,
                          "other_anchor": e.b_anchor if mine_is_a else e.a_anchor} for e in f.evidence[:3]],
        })
    elig = [{"check": c.name, "outcome": c.outcome, "reason": c.reason, "evidence": c.evidence}
            for c in checks if c.outcome != "pass"]
    return {"duplicates": tuple(dups), "eligibility": tuple(elig), "similar": tuple(_similar_row(s) for s in similar)}


def attach_context(note: DraftNote, *, flags: Sequence[DuplicateFlag] = (), checks: Sequence[Check] = (),
                   similar: Sequence[Any] = ()) -> DraftNote:
    rows = context_rows(note.doc_id, flags=flags, checks=checks, similar=similar)
    return replace(note, duplicates=rows["duplicates"], eligibility=rows["eligibility"], similar=rows["similar"])
