"""``mailbox.json`` read back for ``screen``: for each entry file the mailbox wrote, the letter it came in (its
date received, which the deadline check uses) and the registration-form row the letter was matched to. A person
may correct ``form_row`` in the file before screening; ``screen`` reads what is there."""
from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from review_service.core.errors import InputError
from review_service.intake.mailbox.plan import MANIFEST, SCHEMA


@dataclass(frozen=True)
class FileOrigin:
    """Where an entry file came from: ``received_at`` (ISO 8601, the contest's time zone, or ""), ``source`` (the
    letter, for the check's evidence) and ``form_file_name`` (the matched form row's ``file_name``, or None)."""

    received_at: str
    source: str
    form_file_name: str | None


def is_manifest(path: Path) -> bool:
    """Whether ``path`` is a mailbox's ``mailbox.json`` (so ``screen`` does not take it in as an entry)."""
    if path.name != MANIFEST or not path.is_file() or path.stat().st_size > 256 * 1024 * 1024:
        return False
    with open(path, "rb") as f:
        head = f.read(200)
    return SCHEMA.encode() in head


def read_origins(folder: Path) -> dict[str, FileOrigin]:
    """Entry path (relative to ``folder``, POSIX) → its :class:`FileOrigin`; empty when ``folder`` holds no
    ``mailbox.json``."""
    path = Path(folder) / MANIFEST
    if not is_manifest(path):
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(f"{MANIFEST}: not readable JSON ({exc})",
                         hint="run `review-service mailbox` again, or undo the hand edit") from None
    return origins_of(data)


def origins_of(data: Mapping) -> dict[str, FileOrigin]:
    out: dict[str, FileOrigin] = {}
    for letter in data.get("letters", []):
        row = letter.get("form_row") or {}
        source = f"letter {letter.get('letter')} <{letter.get('message_id') or letter.get('source')}>"
        for a in letter.get("attachments", []):
            if a.get("status") == "saved" and a.get("path"):
                out[str(a["path"])] = FileOrigin(letter.get("date") or "", source, row.get("file_name") or None)
    return out
