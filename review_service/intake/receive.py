"""Intake: files → originals kept by SHA-256, parsed text with anchors, one screening record per file.

Nothing is lost or silently skipped: a file that cannot be read is recorded with its reason and the batch goes
on. Every file is committed as soon as it is done, so a batch killed midway and run again resumes where it
stopped, and taking in the same file again changes nothing.
"""
from __future__ import annotations

import codecs
import csv
import hashlib
import io
import logging
import os
import shutil
import tempfile
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from review_service.core.config import Settings
from review_service.core.domain import Anchor, Block, Chunk, Document, ParsedDocument, Reason
from review_service.core.errors import FormsError, InputError, IntakeError
from review_service.core.language import detect_language, script_of
from review_service.intake.chunking import chunk_blocks
from review_service.intake.mailbox.origins import FileOrigin, is_manifest
from review_service.stages.eligibility import run_checks
from review_service.storage import Database

logger = logging.getLogger(__name__)

RECORD_VERSION = "1"


def _parser_version(settings: Settings) -> str:
    """Parse-cache key: parser version, record version, and whether OCR could run (so installing Tesseract
    later re-reads the scanned files)."""
    from review_service.intake import parsing

    ocr = "ocr" if settings.ocr == "auto" and shutil.which("tesseract") else "noocr"
    return f"{getattr(parsing, 'PARSER_VERSION', '1')}+r{RECORD_VERSION}+{ocr}"


@dataclass
class IntakeItem:
    """One file's outcome: the screening record (JSON-ready) and, if it was readable, its document."""

    record: dict
    document: Document | None = None
    parsed: ParsedDocument | None = None
    reused: bool = False
    checks_inputs: dict = field(default_factory=dict)


# --- files and originals -------------------------------------------------------------------------------


def list_files(folder: Path) -> list[Path]:
    """Every regular file under ``folder`` (hidden files and folders skipped, and a mailbox's ``mailbox.json`` at
    the top: docs/mailbox.md), in a stable order."""

    folder = Path(folder)
    if not folder.is_dir():
        raise InputError(f"{folder} is not a folder", hint="pass the folder that holds the entries")
    files = []
    for root, dirs, names in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(names):
            if not name.startswith(".") and not (Path(root) == folder and is_manifest(folder / name)):
                files.append(Path(root) / name)
    return files


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


def store_original(path: Path, sha: str, settings: Settings) -> str:
    """Copy the file into the content-addressed store (once); return its path relative to data_dir."""
    rel = Path("originals") / sha[:2] / sha
    dest = settings.data_dir / rel
    if not dest.exists():
        dest.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".incoming-", dir=dest.parent)
        os.close(fd)
        shutil.copyfile(path, tmp)
        os.chmod(tmp, 0o444)
        os.replace(tmp, dest)
    return str(rel)


def entry_id_for(sha: str, file_name: str, edition_id: int = 1) -> str:
    """An entry's id: the file's content and name, and its edition (the first edition's ids are those from before
    editions), so the same file sent to two editions is two entries."""
    salt = "" if edition_id == 1 else f"\x00edition:{edition_id}"
    return hashlib.sha256(f"{sha}\x00{file_name}{salt}".encode()).hexdigest()[:12]


# --- forms -----------------------------------------------------------------------------------------------


def form_key(file_name: str) -> str:
    return unicodedata.normalize("NFC", Path(file_name).name).casefold().strip()


MAX_FORM_FIELD = 100_000
"""The longest cell of a forms CSV (characters): a form's answers are short; a longer cell is a broken file."""


def _forms_text(path: Path) -> str:
    """The forms CSV's text: UTF-8 (with or without BOM); UTF-16 and Windows-1251 are named and refused (save the
    file as "CSV UTF-8"), so no byte is guessed wrong into a name or a date."""
    data = path.read_bytes()
    save = "save it again as \"CSV UTF-8\" (Excel: Save as → CSV UTF-8; LibreOffice: character set Unicode (UTF-8))"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or data[:400].count(b"\x00") > 20:
        raise FormsError("forms_encoding", f"{path.name}: the forms CSV is in UTF-16, not UTF-8", hint=save)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("cp1251")
    except UnicodeDecodeError:
        text = ""
    if sum("а" <= ch.casefold() <= "я" for ch in text) >= 2:
        raise FormsError("forms_encoding", f"{path.name}: the forms CSV is in Windows-1251 (cp1251), not UTF-8",
                         hint=save)
    raise FormsError("forms_encoding", f"{path.name}: the forms CSV is not UTF-8 text", hint=save)


def read_forms(path: Path) -> dict[str, dict]:
    """The application-form CSV (UTF-8), keyed by the NFC, case-folded file name. A file in another encoding, with
    NUL bytes, an unclosed quote or a cell over :data:`MAX_FORM_FIELD` characters is an :class:`InputError` (422)
    that says what to fix; messages name the file, never its folder."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path.name}: no such forms file")
    text = _forms_text(path)
    if "\x00" in text:
        raise FormsError("forms_invalid", f"{path.name}: the forms CSV holds NUL characters (not a text file?)")
    reader = csv.DictReader(io.StringIO(text, newline=""))
    try:
        if not reader.fieldnames or "file_name" not in reader.fieldnames:
            raise FormsError("forms_invalid", f"{path.name}: the forms CSV needs a 'file_name' column",
                             hint="columns are documented in sample_data/README.md")
        rows = list(reader)
    except csv.Error as exc:
        raise FormsError("forms_invalid", f"{path.name}: not a readable CSV (line {reader.line_num}: {exc})",
                         hint="save it again as CSV UTF-8 from a spreadsheet program") from None
    long = next((k for row in rows for k, v in row.items() if len(v or "") > MAX_FORM_FIELD
                 or len(k or "") > MAX_FORM_FIELD), None)
    if long is not None:
        raise FormsError("forms_invalid", f"{path.name}: a cell of column {str(long)[:40]!r} is over "
                         f"{MAX_FORM_FIELD} characters", hint="a form's answers are short; check the file")
    return {form_key(row["file_name"]): {k: (v or "").strip() for k, v in row.items() if k}
            for row in rows if row.get("file_name")}


# --- (de)serialising parse results -------------------------------------------------------------------------


def parsed_to_json(p: ParsedDocument) -> dict:
    return {
        "format": p.format, "pages": p.pages, "slides": p.slides, "duration_s": p.duration_s,
        "meta": dict(p.meta),
        "warnings": [{"code": w.code, "message": w.message, "params": w.params} for w in p.warnings],
        "blocks": [{"text": b.text, "kind": b.kind, "confidence": b.confidence,
                    "anchor": {"kind": b.anchor.kind, "start": b.anchor.start, "end": b.anchor.end,
                               "part": b.anchor.part}} for b in p.blocks],
    }


def parsed_from_json(d: dict) -> ParsedDocument:
    return ParsedDocument(
        format=d["format"], pages=d.get("pages"), slides=d.get("slides"), duration_s=d.get("duration_s"),
        meta=d.get("meta", {}),
        warnings=tuple(Reason(w["code"], w["message"], w.get("params") or {}) for w in d.get("warnings", [])),
        blocks=tuple(Block(b["text"], Anchor(**b["anchor"]), b["kind"], b["confidence"]) for b in d["blocks"]),
    )


# --- one file ------------------------------------------------------------------------------------------------


def _text_stats(parsed: ParsedDocument, chunks: tuple[Chunk, ...]) -> dict:
    text = parsed.text
    return {
        "chars": len(text), "words": len(text.split()), "chunks": len(chunks), "pages": parsed.pages,
        "slides": parsed.slides, "duration_s": parsed.duration_s, "blocks": len(parsed.blocks),
        "low_confidence_blocks": sum(b.confidence < 0.6 for b in parsed.blocks),
    }


def cached_parse(sha: str, settings: Settings, db: Database) -> ParsedDocument | None:
    """The parse of a taken-in file from the parse cache (pages show an original's text by it), or None."""
    cached = db.get_parsed(sha, _parser_version(settings))
    return parsed_from_json(cached) if cached is not None else None


def _parse(path: Path, sha: str, settings: Settings, db: Database) -> ParsedDocument:
    from review_service.intake.parsing import parse_file

    version = _parser_version(settings)
    cached = db.get_parsed(sha, version)
    if cached is not None:
        return parsed_from_json(cached)
    parsed = parse_file(path, settings, declared_name=path.name)
    db.save_parsed(sha, version, parsed_to_json(parsed))
    return parsed


def take_in_file(path: Path, settings: Settings, db: Database, forms: dict[str, dict] | None = None,
                 batch_id: int | None = None, *, origin: FileOrigin | None = None) -> IntakeItem:
    """One file taken in. ``origin``: the letter it came in (``mailbox.json``): its form row is the one the letter
    was matched to, and its date received is the letter's."""
    file_name = unicodedata.normalize("NFC", path.name)
    size = path.stat().st_size
    sha = sha256_of(path)
    stored_as = store_original(path, sha, settings)
    entry_id = entry_id_for(sha, file_name, db.edition_id())
    matched = origin.form_file_name if origin is not None and origin.form_file_name else file_name
    form = (forms or {}).get(form_key(matched))
    record: dict = {
        "entry_id": entry_id, "file_name": file_name, "sha256": sha, "size_bytes": size, "stored_as": stored_as,
        "format": None, "status": "ok", "reasons": [], "language": "und", "script": "none",
        "chunk_languages": {}, "stats": {}, "checks": [], "form": form, "record_version": RECORD_VERSION,
    }
    previous = db.get_submission(sha, file_name)
    parsed: ParsedDocument | None = None
    try:
        parsed = _parse(path, sha, settings, db)
    except IntakeError as exc:
        record["reasons"].append({"code": exc.code, "message": str(exc)})
        record["status"] = "failed"
    except Exception as exc:  # a parser bug must not stop the batch or lose the file
        logger.exception("unexpected error reading %s", path)
        record["reasons"].append({"code": "internal_error",
                                  "message": f"could not read the file ({type(exc).__name__}: {exc}); "
                                             "the original is kept; please report this"})
        record["status"] = "failed"

    document = None
    if parsed is not None:
        record["format"] = parsed.format
        record["reasons"].extend({"code": w.code, "message": w.message, "params": w.params} for w in parsed.warnings)
        chunks = chunk_blocks(entry_id, parsed.blocks, max_chars=settings.chunk_chars,
                              overlap=settings.chunk_overlap_chars)
        text = parsed.text
        lang = detect_language(text)
        record["language"] = lang
        record["script"] = script_of(text[:4000])
        record["chunk_languages"] = dict(Counter(c.lang for c in chunks))
        record["stats"] = _text_stats(parsed, chunks)
        title = (form or {}).get("project_title") or parsed.meta.get("title", "") or Path(file_name).stem
        meta = {"file_name": file_name, "format": parsed.format}
        if form:  # what conflict-of-interest checks and search facets need from the application form
            authors = ", ".join(x for x in (f"{form.get('name', '')} {form.get('surname', '')}".strip(),
                                            form.get("team_members", "")) if x)
            meta.update({"library": form.get("library", ""), "organization": form.get("library", ""),
                         "region": form.get("region", ""), "library_type": form.get("library_type", ""),
                         "authors": authors})
        document = Document(id=entry_id, text=text, title=title, lang=lang, chunks=chunks, meta=meta)
    checks = run_checks(file_name=file_name, fmt=record["format"] or "", slides=parsed.slides if parsed else None,
                        duration_s=parsed.duration_s if parsed else None, form=form, settings=settings,
                        received_in=(origin.received_at, origin.source) if origin and origin.received_at else None)
    if form is None:
        record["reasons"].append({"code": "no_form", "message": "no application form row names this file"})
    record["checks"] = [c.__dict__ for c in checks]
    record["status"] = status_of(record)
    db.save_submission(record, batch_id)
    return IntakeItem(record=record, document=document, parsed=parsed, reused=previous is not None)


def status_of(record: dict) -> str:
    if record["format"] is None:
        return "failed"
    needs = record["reasons"] or any(c["outcome"] != "pass" for c in record["checks"])
    return "needs_attention" if needs else "ok"


def take_in(paths: Iterable[Path], settings: Settings, db: Database, *, forms: dict[str, dict] | None = None,
            batch_id: int | None = None, progress: Callable[[Path], None] | None = None) -> list[IntakeItem]:
    items = []
    for path in paths:
        items.append(take_in_file(path, settings, db, forms, batch_id))
        if progress:
            progress(path)
    return items
