"""Juror profiles: JURORS.jsonl lines → :class:`~review_service.core.domain.Juror`.

A line: ``{"id", "name", "organization", "region", "languages", "expertise",
"works": [{"id", "title", "text"}], "max_load"}`` — everything but ``id`` optional; also accepted:
``min_load``, ``library``, ``conflicts`` (entry ids), ``opt_outs`` (entry ids). ``languages`` is a list
(or a comma-separated string) of kk / ru / en; a juror without languages reads everything.
"""
from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from review_service.core.domain import Document, Juror
from review_service.core.errors import InputError
from review_service.core.exchange import read_jsonl
from review_service.core.normalize import normalize_text

logger = logging.getLogger(__name__)

_LANG_ALIASES = {"kz": "kk", "kaz": "kk", "kazakh": "kk", "қазақ": "kk", "rus": "ru", "russian": "ru",
                 "русский": "ru", "eng": "en", "english": "en"}


def _ids(value: Any, where: str) -> tuple[str, ...]:
    if value in (None, ""):
        return ()
    if isinstance(value, str):
        return tuple(v.strip() for v in value.split(",") if v.strip())
    if isinstance(value, list):
        return tuple(str(v) for v in value)
    raise InputError(f"{where} must be a list of strings")


def _load(value: Any, where: str) -> int | None:
    if value in (None, ""):
        return None
    try:
        n = int(value)
    except (TypeError, ValueError):
        raise InputError(f"{where} must be a whole number, got {value!r}") from None
    if n < 0:
        raise InputError(f"{where} must not be negative")
    return n


def juror_from_row(row: dict[str, Any], where: str = "juror") -> Juror:
    if "id" not in row or str(row["id"]).strip() == "":
        raise InputError(f'{where}: no "id"', hint='each JURORS line needs at least {"id": ...}')
    jid = str(row["id"])
    where = f"{where} {jid!r}"
    langs = tuple(_LANG_ALIASES.get(x.lower(), x.lower()) for x in _ids(row.get("languages"), f"{where}: languages"))
    works = []
    for n, w in enumerate(row.get("works") or [], 1):
        if isinstance(w, str):
            w = {"text": w}
        if not isinstance(w, dict):
            raise InputError(f"{where}: works[{n}] must be an object with title/text")
        works.append(Document(id=str(w.get("id") or f"{jid}#work{n}"), title=str(w.get("title") or ""),
                              text=normalize_text(str(w.get("text") or w.get("abstract") or ""))))
    return Juror(id=jid, name=str(row.get("name") or ""), organization=str(row.get("organization") or ""),
                 region=str(row.get("region") or ""), languages=langs,
                 expertise=normalize_text(str(row.get("expertise") or "")), works=tuple(works),
                 max_load=_load(row.get("max_load"), f"{where}: max_load"),
                 min_load=_load(row.get("min_load"), f"{where}: min_load") or 0,
                 conflicts=_ids(row.get("conflicts"), f"{where}: conflicts"),
                 opt_outs=_ids(row.get("opt_outs"), f"{where}: opt_outs"), library=str(row.get("library") or ""))


def read_jurors(path: str | Path) -> list[Juror]:
    jurors: list[Juror] = []
    seen: set[str] = set()
    for n, row in enumerate(read_jsonl(path), 1):
        juror = juror_from_row(row, f"{path}: line {n}")
        if juror.id in seen:
            raise InputError(f"{path}: juror id {juror.id!r} appears twice")
        seen.add(juror.id)
        jurors.append(juror)
    if not jurors:
        raise InputError(f"{path}: no jurors")
    return jurors
