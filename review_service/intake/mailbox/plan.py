"""Letters → the mailbox's records and the files to write: which attachment becomes an entry, which is the same
file sent again (one entry), which a corrected resend supersedes (both kept), which archive was unpacked or
refused, which link must be fetched by hand; where each entry goes in the folder (a sub-folder per letter only for
names that clash); the form row each letter seems to belong to. Pure: the command writes what this returns.
"""
from __future__ import annotations

import hashlib
import unicodedata
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import PurePosixPath

from review_service.core.config import Settings
from review_service.intake.mailbox.acknowledgement import ACK_LANGUAGES, draft
from review_service.intake.mailbox.archives import Refused, archive_kind, unpack_zip
from review_service.intake.mailbox.letters import Letter, Part
from review_service.intake.mailbox.matching import FormMatch, match_letter
from review_service.intake.mailbox.sources import MAX_LETTER_MB
from review_service.stages.eligibility import ASTANA

SCHEMA = "review-service/mailbox"
SCHEMA_VERSION = "1.0"
MANIFEST = "mailbox.json"
KEPT = ".mailbox"
"""The hidden folder (``screen`` skips it) with files kept but not screened: superseded, refused, skipped."""
BODY_EXCERPT = 2000


@dataclass(frozen=True)
class Planned:
    """``records``: mailbox.json's letters; ``files``: (path relative to the output folder, bytes) to write."""

    records: list[dict]
    files: list[tuple[str, bytes]] = field(default_factory=list)


@dataclass
class _Item:
    letter_no: int
    letter: Letter
    name: str
    data: bytes
    record: dict


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _attachment(name: str, data: bytes | None, content_type: str, via: str, status: str, reason: str,
                params: dict | None = None, in_archive: str | None = None) -> dict:
    return {"name": name, "sha256": _sha(data) if data is not None else None,
            "size_bytes": len(data) if data is not None else None, "content_type": content_type, "via": via,
            "in_archive": in_archive, "status": status, "reason": reason, "params": params or {}, "path": None}


def _expand(no: int, letter: Letter, part: Part, settings: Settings) -> list[_Item]:
    """One attached part → its items, in order: the archive itself when it was unpacked, then its files; a file
    that may become an entry has status ``saved`` (until resends and layout say otherwise)."""
    def item(name: str, data: bytes, status: str, reason: str = "", params: dict | None = None,
             in_archive: str | None = None) -> _Item:
        ctype = part.content_type if in_archive is None else ""
        return _Item(no, letter, name, data,
                     _attachment(name, data, ctype, part.via, status, reason, params, in_archive))

    if part.problem:
        return [item(part.name, part.data, "refused", part.problem)]
    if part.inline:
        return [item(part.name, part.data, "skipped", "inline_image")]
    if not part.data:
        return [item(part.name, part.data, "refused", "empty")]
    kind = archive_kind(part.data)
    if kind in ("rar", "7z"):
        return [item(part.name, part.data, "refused", "archive_unsupported", {"kind": str(kind).upper()})]
    if kind != "zip":
        return [item(part.name, part.data, "saved")]
    try:
        members = unpack_zip(part.data, settings)
    except Refused as exc:
        return [item(part.name, part.data, "refused", exc.code, exc.params)]
    archive = item(part.name, part.data, "unpacked", "archive_unpacked", {"files": len(members)})
    return [archive, *(item(name, data, "saved" if data else "refused", "" if data else "empty",
                            in_archive=part.name) for name, data in members)]


def _name_key(name: str) -> str:
    return unicodedata.normalize("NFC", PurePosixPath(name).stem).casefold().strip()


def contest_deadline(settings: Settings) -> datetime:
    """The deadline with its time zone (a setting written without one is Astana time, as the deadline check reads
    it)."""
    return settings.deadline if settings.deadline.tzinfo else settings.deadline.replace(tzinfo=ASTANA)


def _same_sender(a: Letter, b: Letter) -> bool:
    """Whether two letters come from one person: an address in common (a forward counts its original sender)."""
    return bool(set(a.addresses) & set(b.addresses))


def _resends(items: list[_Item]) -> None:
    """The same sender again with the same SHA-256: one entry (the first). The same sender, the same file name,
    other content, a later letter: the later supersedes the earlier (both kept; the earlier is not screened).
    The same file from two different senders is two entries (the duplicates stage flags them)."""
    current: list[_Item] = []
    for item in items:  # in the order received
        if item.record["status"] != "saved":
            continue
        sha = item.record["sha256"]
        was = next((c for c in current if c.record["sha256"] == sha
                    and (c.letter_no == item.letter_no or _same_sender(c.letter, item.letter))), None)
        if was is not None:
            item.record.update(status="duplicate", reason="same_file_resent",
                               params={"letter": was.letter_no, "name": was.name})
            continue
        older = next((c for c in current if c.letter_no != item.letter_no and c.record["status"] == "saved"
                      and _name_key(c.name) == _name_key(item.name) and _same_sender(c.letter, item.letter)), None)
        if older is not None:
            older.record.update(status="superseded", reason="corrected_resend",
                                params={"letter": item.letter_no, "name": item.name},
                                superseded_by={"letter": item.letter_no, "name": item.name, "sha256": sha})
            item.record.setdefault("supersedes", []).append(
                {"letter": older.letter_no, "name": older.name, "sha256": older.record["sha256"]})
        current.append(item)


def _layout(items: list[_Item]) -> list[tuple[str, bytes]]:
    """Paths for the entries: the decoded name at the top, under ``letter-NNN/`` when two letters' entries share
    a name, ``name (2).ext`` when one letter holds two different files of one name."""
    saved = [i for i in items if i.record["status"] == "saved"]
    letters_of: dict[str, set[int]] = defaultdict(set)
    for item in saved:
        letters_of[item.name.casefold()].add(item.letter_no)
    taken: set[str] = set()
    files: list[tuple[str, bytes]] = []
    for item in saved:
        folder = f"letter-{item.letter_no:03d}/" if len(letters_of[item.name.casefold()]) > 1 else ""
        path, n = folder + item.name, 1
        while path.casefold() in taken:
            n += 1
            stem, dot, ext = item.name.rpartition(".")
            path = folder + (f"{stem} ({n}).{ext}" if dot else f"{item.name} ({n})")
        taken.add(path.casefold())
        item.record["path"] = path
        files.append((path, item.data))
    for item in items:
        if item.record["status"] not in ("saved", "duplicate") and item.data:
            item.record["kept_as"] = f"{KEPT}/letter-{item.letter_no:03d}/{item.record['sha256'][:12]}-{item.name}"
            files.append((item.record["kept_as"], item.data))
    return files


def _letter_status(letter: Letter, attachments: list[dict]) -> tuple[str, dict]:
    if letter.problem == "letter_too_large":
        return letter.problem, {"limit_mb": MAX_LETTER_MB}
    if letter.problem:
        return letter.problem, {}
    statuses = [a["status"] for a in attachments]
    if "saved" in statuses:
        return "entries", {"count": statuses.count("saved")}
    if not statuses:
        return "no_attachment", {}
    if set(statuses) <= {"link_only", "skipped"} and "link_only" in statuses:
        return "link_only", {}
    if set(statuses) <= {"duplicate", "superseded", "skipped", "unpacked"} and (
            "duplicate" in statuses or "superseded" in statuses):
        return "nothing_new", {}
    if "refused" in statuses:
        return "nothing_readable", {}
    return "no_attachment", {}


def _form_row(match: FormMatch, forms: Mapping[str, Mapping[str, str]]) -> dict | None:
    if match.key is None:
        return None
    row = forms[match.key]
    return {"file_name": row.get("file_name", ""), "surname": row.get("surname", ""), "name": row.get("name", ""),
            "by": match.by, "evidence": [{"field": f, "text": t} for f, t in match.evidence], "confirmed": False}


def plan(letters: Sequence[Letter], settings: Settings, forms: Mapping[str, Mapping[str, str]] | None = None) -> Planned:
    """The mailbox's records (one per letter, in the order received) and the files to write."""
    deadline = contest_deadline(settings)
    ordered = sorted(letters, key=lambda x: (x.date is None, x.date or datetime.min.replace(tzinfo=deadline.tzinfo),
                                             x.source))
    records: list[dict] = []
    per_letter: list[tuple[Letter, list[_Item]]] = []
    for no, letter in enumerate(ordered, start=1):
        per_letter.append((letter, [i for part in letter.parts for i in _expand(no, letter, part, settings)]))
    items = [i for _, found in per_letter for i in found]
    _resends(items)
    files = _layout(items)
    for no, (letter, found) in enumerate(per_letter, start=1):
        all_att = [i.record for i in found]
        all_att += [_attachment(link.url, None, "", "direct", "link_only", "cloud_link",
                                {"service": link.service, "url": link.url}) for link in letter.links]
        match = match_letter(letter.addresses, [i.name for i in found], f"{letter.subject}\n{letter.body}",
                             forms or {})
        form_row = _form_row(match, forms or {})
        for a in all_att:
            if a["status"] == "saved":
                a["reason"] = ("no_forms" if not forms else "form_matched" if form_row else "no_form_row")
                a["params"] = {"form": form_row["file_name"]} if form_row else {}
        status, params = _letter_status(letter, all_att)
        record = {
            "letter": no, "source": letter.source, "message_id": letter.message_id, "from": letter.sender,
            "from_name": letter.sender_name, "forwarded_from": list(letter.forwarded_from),
            "date": letter.date.isoformat() if letter.date else None, "date_source": letter.date_source,
            "after_deadline": (letter.date > deadline) if letter.date else None,
            "subject": letter.subject, "body_excerpt": letter.body[:BODY_EXCERPT],
            "status": status, "reason": status, "params": params, "attachments": all_att,
            "form_row": form_row,
            "form_candidates": [forms[k].get("file_name", k) for k in match.candidates] if forms else [],
            "form_evidence": [{"field": f, "text": t} for f, t in match.evidence] if form_row is None else [],
        }
        person = ""
        if form_row:
            person = f"{form_row['name']} {form_row['surname']}".strip()
        record["acknowledgement"] = {lang: draft(record, lang, contest=settings.contest_name, deadline=deadline,
                                                 person=person) for lang in ACK_LANGUAGES}
        records.append(record)
    return Planned(records, files)


def manifest(records: list[dict], source: str, generated_at: str, settings: Settings) -> dict:
    """``mailbox.json`` as a dict (docs/mailbox.md)."""
    attachments = [a for r in records for a in r["attachments"]]
    return {
        "schema": SCHEMA, "schema_version": SCHEMA_VERSION, "generated_at": generated_at, "source": source,
        "contest": settings.contest_name, "deadline": contest_deadline(settings).isoformat(),
        "summary": {"letters": len(records), "entries": sum(a["status"] == "saved" for a in attachments),
                    "without_attachment": sum(r["status"] in ("no_attachment", "link_only") for r in records),
                    "without_form_row": sum(r["form_row"] is None for r in records),
                    "after_deadline": sum(bool(r["after_deadline"]) for r in records),
                    "by_status": {s: sum(a["status"] == s for a in attachments)
                                  for s in sorted({a["status"] for a in attachments})}},
        "letters": records,
    }
