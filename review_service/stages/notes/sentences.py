"""A stored draft note's sentences in one numbered list — what the API's ``GET /entries/{id}/note``, the
juror's and organizer's entry pages and sentence feedback all count by (the order of ``DraftNote.sentences``).

The same sentence of the entry is often evidence twice (a technique and an aim, or the summary and a service):
the list states it once, at its first place, citing the places of all its repeats; a repeat is found by a
normalised comparison (case, either script of Kazakh, spacing and punctuation aside). Indices stay those of the
full order, so feedback given on a sentence keeps pointing at it."""
from __future__ import annotations

import re
from typing import Any

from review_service.core.normalize import fold

NOTE_SECTIONS = ("summary", "techniques", "services", "kinds", "aims", "medium", "questions")
_WORD = re.compile(r"\w+")


def sentence_key(text: str) -> str:
    """What two sentences share when they say the same words (case, script, spaces, punctuation aside)."""
    return " ".join(_WORD.findall(fold(text)))


def _all(note: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    groups = [("summary", note.get("summary", []))]
    for section in ("techniques", "services"):
        groups += [(section, t.get("evidence", [])) for t in note.get(section, [])]
    groups += [("kinds", t.get("evidence", [])) for t in (note.get("form") or {}).get("kinds", [])]
    groups += [("aims", a.get("quotes", [])) for a in note.get("aims", [])]
    groups += [("medium", (note.get("form") or {}).get("medium_evidence", [])), ("questions", note.get("questions", []))]
    return [(section, s) for section, items in groups for s in items]


def sentence_count(note: dict[str, Any]) -> int:
    """How many places the note's sentences take in the full order (repeats counted): feedback indices are below."""
    return len(_all(note))


def note_sentences(note: dict[str, Any]) -> list[dict[str, Any]]:
    """The note's sentences in order, each once (see the module docstring), with its index in the full order."""
    out: list[dict[str, Any]] = []
    first: dict[str, dict[str, Any]] = {}
    for index, (section, s) in enumerate(_all(note)):
        text = s.get("text", "")
        anchors = list(s.get("anchors", []))
        key = sentence_key(text)
        if key and key in first:
            kept = first[key]
            kept["anchors"] += [a for a in anchors if a not in kept["anchors"]]
            continue
        row = {"index": index, "section": section, "text": text, "anchors": list(dict.fromkeys(anchors)),
               "origin": s.get("origin", ""), "lang": s.get("lang") or note.get("lang", ""),
               "key": s.get("key", ""), "params": s.get("params") or {}}
        first[key] = row
        out.append(row)
    return out
