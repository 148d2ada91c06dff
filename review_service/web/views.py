"""What pages show of an entry: its note sentence by sentence with citation links, the original (a PDF, a
DOCX/PPTX's PDF rendition, a recording) and its text with anchors, duplicate evidence and similar past projects —
each built through :mod:`review_service.contest.permissions` (blind review: the projection and :func:`permissions.scrub`)."""
from __future__ import annotations

import re

from review_service.contest import drafts, permissions
from review_service.contest.accounts import Principal
from review_service.core.domain import ParsedDocument
from review_service.intake import renditions
from review_service.intake.renditions import LazyRenderer, Rendition
from review_service.stages.notes.phrases import reworded
from review_service.stages.notes.sentences import note_sentences
from review_service.storage import Database
from review_service.web import blind_files
from review_service.web.originals import INLINE, MEDIA, servable


def _(message: str) -> str:
    return message


REASON_LABELS = {"personal": _("I know the entrant personally"), "workplace": _("I work with the entrant"),
                 "involved": _("I took part in the project"), "expertise": _("Outside my expertise"),
                 "language": _("A language I do not read"), "other": _("Another reason")}
"""A juror's declaration reasons (contest.declarations.REASONS) as the pages name them."""
PLACES = {"page": _("page %(n)s"), "slide": _("slide %(n)s"), "section": _("section %(n)s"),
          "line": _("line %(n)s")}
PAGE = re.compile(r"^(page|slide|section|line) (\d+)")
TIME = re.compile(r"^(?:(\d+):)?(\d{1,2}):(\d{2})(?:\s*[–-]\s*(?:(\d+):)?(\d{1,2}):(\d{2}))?")


def anchor_target(label: str) -> dict:
    """``"page 3"`` → {kind: page, n: 3}; ``"slide 2 (notes)"`` → slide 2; ``"01:20–01:35"`` → {kind: time,
    seconds: 80, until: 95}; ``"00:01:23"`` → {kind: time, seconds: 83}; anything else → {kind: none}."""
    label = label.strip()
    found = PAGE.match(label)
    if found:
        return {"kind": found[1], "n": int(found[2]), "label": label, "msg": PLACES[found[1]]}
    found = TIME.match(label)
    if found:
        start = int(found[1] or 0) * 3600 + int(found[2]) * 60 + int(found[3])
        out = {"kind": "time", "seconds": start, "label": label}
        if found[6] is not None:
            end = int(found[4] or 0) * 3600 + int(found[5]) * 60 + int(found[6])
            out["until"] = max(end, start + 1)  # a segment within one second still plays
        return out
    return {"kind": "none", "label": label}


VIEWER = "navpanes=0"
"""PDF open parameters for the frame beside the note: no thumbnail pane (Chromium's viewer opens one, which
leaves the pages a third of the frame — slides so small that a deck's last ones can never reach the top)."""


def page_href(pdf_url: str, page: int) -> str:
    """``/files/K/pdf?page=7#page=7&navpanes=0``: the query makes it another address than the frame's, so
    following the link (without script too) loads the PDF afresh and the viewer opens at the page — Chromium's
    viewer ignores a change of the fragment alone. The server ignores the query."""
    return f"{pdf_url}?page={page}#page={page}&{VIEWER}"


def citation(label: str, file_url: str, fmt: str, has_file: bool, rendition: Rendition | None = None) -> dict:
    """A citation link: a PDF page opens in the original's frame at page N (:func:`page_href`; app.js reloads
    the frame on every click), and so does a slide or section of a DOCX/PPTX rendered to PDF (``rendition``:
    slide N → page N, a section → the page its text begins on); a moment or span (``01:20–01:35``) seeks the
    player to its start and stops at its end (``#t=80,95``); any other slide, section or line jumps to that place
    in the text beside the note."""
    target = anchor_target(label)
    kind = target["kind"]
    if kind == "page" and fmt in INLINE and has_file:
        return {**target, "href": page_href(file_url, target["n"]), "frame": True}
    page = rendition.page_for(kind, target["n"]) if rendition is not None and rendition.ok and "n" in target else None
    if page is not None:
        return {**target, "href": page_href(f"{file_url}/pdf", page), "frame": True}
    if kind == "time" and fmt in MEDIA and has_file:
        span = f"{target['seconds']},{target['until']}" if "until" in target else f"{target['seconds']}"
        return {**target, "href": f"{file_url}#t={span}", "seek": target["seconds"], "until": target.get("until")}
    if kind in ("page", "slide", "section", "line"):
        return {**target, "href": f"#at-{kind}-{target['n']}"}
    return {**target, "href": ""}


def _parsed(db, settings, record: dict) -> ParsedDocument | None:
    from review_service.intake.receive import cached_parse

    return cached_parse(record["sha256"], settings, db) if record.get("sha256") else None


def text_blocks(db, settings, record: dict, parsed: ParsedDocument | None = None) -> list[dict]:
    """The original's extracted text, block by block, each with its anchor label and (first of its place) an id
    that citations jump to."""
    parsed = parsed or _parsed(db, settings, record)
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


def rendition_of(settings, record: dict, parsed: ParsedDocument | None, renderer: LazyRenderer | None
                 ) -> tuple[Rendition | None, bool]:
    """A DOCX/PPTX original's PDF rendition and whether one is being made now: a batch rendered it, or (an older
    batch) ``renderer`` is asked to render it in the background — never in the request thread."""
    fmt = record.get("format") or ""
    original = settings.data_dir / record["stored_as"]
    if not renditions.renderable(fmt) or not record.get("sha256") or not original.is_file():
        return None, False
    if renderer is None:
        return renditions.load(record["sha256"], settings), False
    job = renditions.Job(record["sha256"], original, fmt, parsed.blocks if parsed else (),
                         parsed.slides if parsed else None)
    found = renderer.get(job)
    return found, found is None and renderer.pending(record["sha256"])


def blind_redaction(db, settings, record: dict, fmt: str) -> dict:
    """What the blind copy a juror is shown hides (made now if it is not yet): pages with spans blacked out,
    pages hidden whole (by reason), or ``unavailable`` when no clean copy could be made."""
    try:
        _, report = blind_files.blind_pdf(db, settings, record, "original" if fmt in INLINE else "rendition")
    except blind_files.RedactionFailed:
        return {"unavailable": True, "pages": "", "pictures": "", "hidden": ""}

    def pages(keys) -> str:
        return ", ".join(str(n) for n in sorted(int(k) for k in keys))

    return {"unavailable": False, "pages": pages(report.redacted),
            "pictures": pages(k for k, why in report.hidden.items() if why == "image_text"),
            "hidden": pages(k for k, why in report.hidden.items() if why != "image_text")}


def entry_view(db, settings, who: Principal, entry_id: str, record: dict, key: str,
               renderer: LazyRenderer | None = None, lang: str = "") -> dict:
    """Everything the entry page shows, projected for ``who`` (blind: codes, no personal values)."""
    blind = permissions.blind_for(who, settings.blind_review)
    shown = [record]  # whose personal values a blind juror's view must not hold
    entry = permissions.project_entry(record, who, settings.blind_review)
    fmt = record.get("format") or ""
    has_file = servable(record, blind) and (settings.data_dir / record["stored_as"]).is_file()
    file_url = f"/files/{key}"
    parsed = None if fmt in INLINE else _parsed(db, settings, record)
    rendition, preparing = rendition_of(settings, record, parsed, renderer)
    rendered = rendition is not None and rendition.ok
    frame_url = file_url if fmt in INLINE and has_file else f"{file_url}/pdf" if rendered else ""
    redaction = blind_redaction(db, settings, record, fmt) if blind and frame_url else None
    if redaction is not None and redaction["unavailable"]:
        frame_url, has_file = "", False
    frame_src = f"{frame_url}#{VIEWER}" if frame_url else ""
    note = drafts.entry_note(db, entry_id)
    view: dict = {"entry": entry, "key": key, "format": fmt, "has_file": has_file, "file_url": file_url,
                  "frame_url": frame_url, "frame_src": frame_src, "preparing": preparing,
                  "render_failed": rendition is not None and not rendition.ok, "redaction": redaction,
                  "blocks": [] if fmt in INLINE else text_blocks(db, settings, record, parsed), "note": None,
                  "duplicates": [], "similar": []}
    if note is not None:
        sentences = [{**(reworded(s, lang) if lang else s),
                      "links": [citation(a, file_url, fmt, has_file, rendition) for a in s["anchors"]]}
                     for s in note_sentences(note)]
        view["note"] = {"lang": note.get("lang", ""), "disclaimer": note.get("disclaimer", ""),
                        "summary_mode": note.get("summary_mode", ""), "provenance": note.get("provenance", {}),
                        "batch_id": note.get("batch_id"), "superseded": note.get("superseded", []),
                        "sentences": sentences}
        past = {f["b"]: f.get("b_name") or f["b"] for f in drafts.duplicate_flags(db) if f.get("b_is_archive")} \
            if any(d.get("other_is_archive") for d in note.get("duplicates", [])) else {}
        for dup in note.get("duplicates", []):
            other = dup.get("other", "")
            other_record = None if dup.get("other_is_archive") else db.submission(other)
            if other_record is not None and blind:
                shown.append(other_record)
            if dup.get("other_is_archive"):  # a past project: its title (the archive is public record)
                label = past.get(other, other.removeprefix("archive:"))
            elif other_record is None or blind:
                label = permissions.entry_code(other)
            else:  # organizers: the other entry's title, else its file name
                label = (other_record.get("form") or {}).get("project_title") or other_record["file_name"]
            view["duplicates"].append({**dup, "other": label})
        view["similar"] = list(note.get("similar", []))
    if blind:
        found = permissions.matcher(*shown)
        for part in ("note", "duplicates", "similar", "blocks"):
            view[part] = permissions.scrub(view[part], found)
    return view


VOCABULARY = (  # values shown through {{ _(value) }} in templates: their translations live in the catalogs
    _("ok"), _("needs_attention"), _("failed"), _("pass"), _("warn"), _("fail"),  # entry status, pre-checks
    _("confirm"), _("dismiss"), _("uphold"), _("override"), _("helpful"), _("wrong"),  # verdicts
    _("exact"), _("near_copy"), _("partial"), _("paraphrase"), _("crosslingual"), _("translation"),  # duplicates
    _("juror"), _("organizer"), _("admin"),  # roles
    _("eligibility"), _("finalist"), _("award"), _("eligible"), _("not_eligible"), _("yes"), _("no"), _("none"),
    _("ai"),  # who put a juror on an entry ("ai" or "organizer")
)


def entry_titles(db: Database) -> dict[str, str]:
    """Each entry's project title (from its application form), else its file name: what organizer pages list."""
    return {r["entry_id"]: (r.get("form") or {}).get("project_title") or r["file_name"] for r in db.submissions()}


def juror_names(db: Database) -> dict[str, str]:
    """Each juror profile's name from the roster (what organizer pages show instead of a juror id)."""
    from review_service.storage.account_store import PeopleStore

    return {m["juror_id"]: m["name"] for m in PeopleStore(db).jury() if m.get("name")}
