"""Where letters come from: an ``.mbox`` file (a mail service's export), a folder of ``.eml`` files, or a Maildir
(``cur/``, ``new/``, ``tmp/``). Each letter is yielded as (where it was found, its bytes); nothing is parsed here
(:func:`review_service.intake.mailbox.letters.read_letter` does that), so a page that receives an upload can
hand the same bytes to the same readers."""
from __future__ import annotations

import mailbox
import os
from collections.abc import Iterator
from pathlib import Path

from review_service.core.errors import InputError

MAX_LETTER_MB = 200.0
"""The largest single letter read (MB): a mail service refuses letters far smaller; a larger one is not a letter."""


def kind_of(path: Path) -> str:
    """``maildir``, ``eml`` (a folder of .eml files) or ``mbox``; :class:`InputError` when it is none of them."""
    path = Path(path)
    if path.is_dir():
        if (path / "cur").is_dir() and (path / "new").is_dir():
            return "maildir"
        return "eml"
    if path.is_file():
        with open(path, "rb") as f:
            head = f.read(5)
        if head == b"From " or path.suffix.lower() == ".mbox":
            return "mbox"
        if path.suffix.lower() == ".eml":
            return "eml"
        raise InputError(f"{path.name} is not an mbox file (it does not start with \"From \")",
                         hint="export the mailbox as .mbox, or pass a folder of .eml files or a Maildir")
    raise InputError(f"{path.name}: no such mailbox file or folder",
                     hint="pass an .mbox file, a folder of .eml files or a Maildir")


def _eml_files(path: Path) -> list[Path]:
    if path.is_file():
        return [path]
    found = []
    for root, dirs, names in os.walk(path):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        found += [Path(root) / n for n in sorted(names) if n.lower().endswith(".eml") and not n.startswith(".")]
    return found


def read_messages(path: Path) -> Iterator[tuple[str, bytes | None]]:
    """Every letter in the mailbox at ``path``: (source, raw bytes), in the mailbox's order; None instead of the
    bytes for a letter over :data:`MAX_LETTER_MB` (listed, not read)."""
    path = Path(path)
    kind = kind_of(path)
    limit = int(MAX_LETTER_MB * 1024 * 1024)
    if kind == "eml":
        files = _eml_files(path)
        if not files:
            raise InputError(f"{path.name}: no .eml files in this folder, and it is not a Maildir (cur/, new/)",
                             hint="pass an .mbox file, a folder of .eml files or a Maildir")
        for file in files:
            if file.stat().st_size <= limit:
                yield str(file.relative_to(path) if path.is_dir() else file.name), file.read_bytes()
            else:
                yield str(file.name), None
        return
    box: mailbox.Mailbox = mailbox.Maildir(path, factory=None, create=False) if kind == "maildir" \
        else mailbox.mbox(path, factory=None, create=False)
    try:
        keys = sorted(box.keys(), key=str) if kind == "maildir" else list(box.keys())
        for n, key in enumerate(keys, start=1):
            raw = box.get_bytes(key)
            yield (f"maildir:{key}" if kind == "maildir" else f"mbox#{n}"), raw if len(raw) <= limit else None
    finally:
        box.close()
