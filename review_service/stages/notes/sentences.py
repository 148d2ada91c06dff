"""A stored draft note's sentences in one numbered list — what the API's ``GET /entries/{id}/note``, the
juror's and organizer's entry pages and sentence feedback all count by (the order of ``DraftNote.sentences``)."""
from __future__ import annotations

from typing import Any

NOTE_SECTIONS = ("summary", "techniques", "services", "kinds", "aims", "medium", "questions")


def note_sentences(note: dict[str, Any]) -> list[dict[str, Any]]:
    """The note's sentences in one numbered list (the order of ``DraftNote.sentences``)."""
    groups = [("summary", note.get("summary", []))]
    for section in ("techniques", "services"):
        groups += [(section, t.get("evidence", [])) for t in note.get(section, [])]
    groups += [("kinds", t.get("evidence", [])) for t in (note.get("form") or {}).get("kinds", [])]
    groups += [("aims", a.get("quotes", [])) for a in note.get("aims", [])]
    groups += [("medium", (note.get("form") or {}).get("medium_evidence", [])), ("questions", note.get("questions", []))]
    out: list[dict[str, Any]] = []
    for section, items in groups:
        for s in items:
            out.append({"index": len(out), "section": section, "text": s.get("text", ""),
                        "anchors": list(s.get("anchors", [])), "origin": s.get("origin", ""),
                        "lang": s.get("lang") or note.get("lang", ""), "key": s.get("key", ""),
                        "params": s.get("params") or {}})
    return out
