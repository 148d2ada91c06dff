"""An entry's AI drafts across batches: what the pages and the API show of the AI's work on an entry.

An entry is the same entry in every batch that holds its file (its id is made from the file's SHA-256 and name,
``intake.receive.entry_id_for``). A batch writes one draft of each stage (an ``ai_results`` row) for the entries it
screened, so the newest batch's row holds only *its* entries. Reading "the latest row" would hide the notes and
duplicate evidence of every entry screened earlier; the pages read through this module instead:

- :func:`entry_note`: the newest draft note that exists for the entry, from whichever batch, with that batch named
  and the batches whose notes it replaces (re-screening supersedes visibly, nothing disappears);
- :func:`duplicate_flags`: every batch's flags, the newest batch's version of a pair winning; a pair drops out only
  when a later batch screened both of its sides again (and so decided about the pair anew).
"""
from __future__ import annotations

from typing import Any

from review_service.storage import Database

NOTES, DUPLICATES = "notes", "duplicates"


def entry_note(db: Database, entry_id: str) -> dict[str, Any] | None:
    """The newest note of ``entry_id`` across batches, with ``batch_id`` and ``superseded`` (the batches whose earlier
    notes of this entry it replaces, oldest first); None when no batch drafted one."""
    found = [(row["batch_id"], note) for row in db.ai_results_per_batch(NOTES) for note in row["payload"] or ()
             if isinstance(note, dict) and note.get("doc_id") == entry_id]
    if not found:
        return None
    batch_id, note = found[-1]
    return {**note, "batch_id": batch_id, "superseded": [b for b, _ in found[:-1]]}


def _members(row: dict) -> set[str]:
    """The entries a duplicates run compared: its provenance's ``entries`` (since this module), else the entries its
    flags name (older rows)."""
    listed = (row.get("provenance") or {}).get("entries")
    if isinstance(listed, list):
        return {str(e) for e in listed}
    return {str(f.get(side)) for f in row["payload"] or () for side in ("a", "b") if isinstance(f, dict)}


def _key(flag: dict) -> tuple[str, str, str]:
    return str(flag.get("a")), str(flag.get("b")), str(flag.get("kind"))


def duplicate_flags(db: Database) -> list[dict[str, Any]]:
    """The AI's duplicate flags that stand across batches, each with the ``batch_id`` that raised it (oldest batch
    first, each batch's flags in its own order)."""
    standing: dict[tuple[str, str, str], dict[str, Any]] = {}
    for row in db.ai_results_per_batch(DUPLICATES):
        members = _members(row)
        for key, flag in list(standing.items()):
            if flag.get("a") in members and (flag.get("b_is_archive") or flag.get("b") in members):
                del standing[key]  # both sides screened again: this batch's verdict on the pair replaces it
        for flag in row["payload"] or ():
            if isinstance(flag, dict):
                standing.pop(_key(flag), None)
                standing[_key(flag)] = {**flag, "batch_id": row["batch_id"]}
    return list(standing.values())
