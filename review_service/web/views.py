"""What pages show of an entry: its note sentence by sentence with citation links, the original's text with
anchors, duplicate evidence and similar past projects — each built through :mod:`review_service.permissions`
(blind review: the projection and :func:`permissions.scrub`)."""
from __future__ import annotations

import re

from review_service import permissions
from review_service.api.routes import note_sentences
from review_service.people import Principal

from .files import INLINE, MEDIA, servable


def _(message: str) -> str:
    return message


PLACES = {"page": _("page %(n)s"), "slide": _("slide %(n)s"), "section": _("section %(n)s"),
          "line": _("line %(n)s")}
PAGE = re.compile(r"^(page|slide|section|line) (\d+)")
TIME = re.compile(r"^(?:(\d+):)?(\d{1,2}):(\d{2})")


def anchor_target(label: str) -> dict:
    """``"page 3"`` → {kind: page, n: 3}; ``"slide 2 (notes)"`` → slide 2; ``"01:20–01:35"`` / ``"00:01:23"`` →
    {kind: time, seconds}; anything else → {kind: none}."""
    label = label.strip()
    found = PAGE.match(label)
    if found:
        return {"kind": found[1], "n": int(found[2]), "label": label, "msg": PLACES[found[1]]}
    found = TIME.match(label)
    if found:
        hours, minutes, seconds = int(found[1] or 0), int(found[2]), int(found[3])
        return {"kind": "time", "seconds": hours * 3600 + minutes * 60 + seconds, "label": label}
    return {"kind": "none", "label": label}


def citation(label: str, file_url: str, fmt: str, has_file: bool) -> dict:
    """A citation link: a PDF page opens in the original's frame at ``#page=N``; a moment seeks the player;
    a slide, section or line jumps to that place in the text beside the note."""
    target = anchor_target(label)
    kind = target["kind"]
    if kind == "page" and fmt in INLINE and has_file:
        return {**target, "href": f"{file_url}#page={target['n']}", "frame": True}
    if kind == "time" and fmt in MEDIA and has_file:
        return {**target, "href": f"{file_url}#t={target['seconds']}", "seek": target["seconds"]}
    if kind in ("page", "slide", "section", "line"):
        return {**target, "href": f"#at-{kind}-{target['n']}"}
    return {**target, "href": ""}


def text_blocks(db, settings, record: dict) -> list[dict]:
    """The original's extracted text, block by block, each with its anchor label and (first of its place) an id
    that citations jump to."""
    from review_service.intake import cached_parse

    parsed = cached_parse(record["sha256"], settings, db) if record.get("sha256") else None
    if parsed is None:
        return []
    seen: set[str] = set()
    out = []
    for block in parsed.blocks:
        if not block.text.strip():
            continue
        label = block.anchor.label()
        target = anchor_target(label)
        key = f"at-{target['kind']}-{target.get('n', '')}" if target["kind"] in ("page", "slide", "section",
                                                                                  "line") else ""
        out.append({"label": label, "text": block.text, "kind": block.kind,
                    "id": key if key and key not in seen else ""})
        seen.add(key)
    return out


def entry_view(db, settings, who: Principal, entry_id: str, record: dict, key: str) -> dict:
    """Everything the entry page shows, projected for ``who`` (blind: codes, no personal values)."""
    blind = permissions.blind_for(who, settings.blind_review)
    secrets = permissions.personal_values(record) if blind else []
    entry = permissions.project_entry(record, who, settings.blind_review)
    fmt = record.get("format") or ""
    has_file = servable(record, blind) and (settings.data_dir / record["stored_as"]).is_file()
    file_url = f"/files/{key}"
    found = db.latest_ai_result("notes")
    note = next((n for n in (found or {}).get("payload", []) if n.get("doc_id") == entry_id), None)
    view: dict = {"entry": entry, "key": key, "format": fmt, "has_file": has_file, "file_url": file_url,
                  "blocks": [] if fmt in INLINE else text_blocks(db, settings, record), "note": None,
                  "duplicates": [], "similar": []}
    if note is not None:
        sentences = [{**s, "links": [citation(a, file_url, fmt, has_file) for a in s["anchors"]]}
                     for s in note_sentences(note)]
        view["note"] = {"lang": note.get("lang", ""), "disclaimer": note.get("disclaimer", ""),
                        "summary_mode": note.get("summary_mode", ""), "provenance": note.get("provenance", {}),
                        "sentences": sentences}
        for dup in note.get("duplicates", []):
            other = dup.get("other", "")
            other_record = None if dup.get("other_is_archive") else db.submission(other)
            if other_record is not None and blind:
                secrets = [*secrets, *permissions.personal_values(other_record)]
            label = permissions.entry_code(other) if other_record is not None and blind else other
            view["duplicates"].append({**dup, "other": label})
        view["similar"] = list(note.get("similar", []))
    if blind:
        for part in ("note", "duplicates", "similar", "blocks"):
            view[part] = permissions.scrub(view[part], sorted(set(secrets), key=len, reverse=True))
    return view


VOCABULARY = (  # values shown through {{ _(value) }} in templates: their translations live in the catalogs
    _("ok"), _("needs_attention"), _("failed"), _("pass"), _("warn"), _("fail"),  # entry status, pre-checks
    _("confirm"), _("dismiss"), _("uphold"), _("override"), _("helpful"), _("wrong"),  # verdicts
    _("exact"), _("near_copy"), _("partial"), _("paraphrase"), _("crosslingual"), _("translation"),  # duplicates
    _("juror"), _("organizer"), _("admin"),  # roles
    _("eligibility"), _("finalist"), _("award"), _("eligible"), _("not_eligible"), _("yes"), _("no"), _("none"),
    _("ai"),  # who put a juror on an entry ("ai" or "organizer")
)
