"""Exchange files: the JSONL/JSON/TSV formats that organizers and evaluators use to run one stage on their data.

CORPUS.jsonl: one ``{"id", "text"}`` per line, optional ``"title", "lang", "year"``; other keys are kept in
``Document.meta``. Writes are atomic (temp file, then rename), so a killed run never leaves half a file.
"""
from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from review_service.core.domain import Document, Lang
from review_service.core.errors import InputError
from review_service.core.normalize import normalize_text

_LANGS = {"kk", "ru", "en", "und"}


def read_jsonl(path: str | Path) -> Iterator[dict[str, Any]]:
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: no such file")
    with open(path, encoding="utf-8-sig") as f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                raise InputError(f"{path}:{n}: not valid JSON ({exc.msg})") from None
            if not isinstance(row, dict):
                raise InputError(f"{path}:{n}: each line must be a JSON object")
            yield row


def read_corpus(path: str | Path, *, require_text: bool = True) -> list[Document]:
    docs: list[Document] = []
    seen: set[str] = set()
    for n, row in enumerate(read_jsonl(path), 1):
        if "id" not in row:
            raise InputError(f"{path}: record {n} has no \"id\"", hint='each line needs {"id": ..., "text": ...}')
        doc_id = str(row["id"])
        if doc_id in seen:
            raise InputError(f"{path}: id {doc_id!r} appears twice")
        seen.add(doc_id)
        text = row.get("text")
        if require_text and not isinstance(text, str):
            raise InputError(f"{path}: record {doc_id!r} has no \"text\" string")
        lang: Lang = row.get("lang") or "und"
        if lang not in _LANGS:
            raise InputError(f"{path}: record {doc_id!r} has lang {lang!r}; use one of kk, ru, en")
        year = row.get("year")
        try:
            year = int(year) if year not in (None, "") else None
        except (TypeError, ValueError):
            raise InputError(f"{path}: record {doc_id!r} has year {year!r}, not a number") from None
        meta = {k: v if isinstance(v, str) else json.dumps(v, ensure_ascii=False)
                for k, v in row.items() if k not in {"id", "text", "title", "lang", "year"}}
        docs.append(Document(id=doc_id, text=normalize_text(text or ""), title=str(row.get("title") or ""),
                             lang=lang, year=year, meta=meta))
    return docs


def _atomic_write(path: Path, write) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as f:
            write(f)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def replace_dir(staged: Path, path: Path) -> None:
    """Move a finished folder into place atomically, replacing an older one (it is renamed away first, so
    readers see either the old folder or the new one, never half of either)."""
    staged, path = Path(staged), Path(path)
    if path.exists():
        old = path.with_name(f".{path.name}.old-{os.getpid()}")
        shutil.rmtree(old, ignore_errors=True)
        os.replace(path, old)
        os.replace(staged, path)
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.replace(staged, path)


def write_jsonl(path: str | Path, rows: Iterable[dict[str, Any]]) -> None:
    def write(f) -> None:
        for row in rows:
            f.write(json.dumps(row, ensure_ascii=False) + "\n")

    _atomic_write(Path(path), write)


def write_json(path: str | Path, obj: Any) -> None:
    _atomic_write(Path(path), lambda f: json.dump(obj, f, ensure_ascii=False, indent=2))


def write_text(path: str | Path, text: str) -> None:
    _atomic_write(Path(path), lambda f: f.write(text))
