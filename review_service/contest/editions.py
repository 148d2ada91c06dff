"""Editions — the contest's years — as the organizers handle them: create one as a copy of another's set-up, close
one into the archive, import a past one; and which editions a person may work in (docs/editions.md).

A new edition's set-up (deadlines, age limit, file-name rule, blind review …) is the edition it copies, else the
settings (``core.config.edition_defaults``). Closing carries every entry into the archive with its text,
language, themes, region, library type and outcome, the outcome from the organizers' latest decisions: an award
"special" → special prize, an award place → winner, finalist "yes" → finalist, else participant.
"""
from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from review_service.contest.accounts import Principal
from review_service.core.config import Settings, edition_defaults
from review_service.core.errors import InputError, IntakeError, NotFound, PermissionDenied
from review_service.core.language import detect_language
from review_service.storage import Database, edition_scope
from review_service.storage.edition_store import OUTCOMES, SETUP, EditionStore
from review_service.storage.jury_store import JuryStore

LANGS = ("kk", "ru", "en")


def visible(db: Database, who: Principal | None) -> list[dict]:
    """The editions ``who`` may work in: all for organizers and the command line, a juror's own for a juror."""
    store = EditionStore(db)
    if who is None or who.is_staff:
        return store.editions()
    return store.editions(store.editions_of_juror(who.juror_id or ""))


def chosen(db: Database, settings: Settings, name: str | None, who: Principal | None = None) -> dict:
    """The edition called ``name`` (else ``settings.edition``, else the current one), if ``who`` may work in it:
    a juror only in an edition whose jury they are on (403 otherwise)."""
    store = EditionStore(db)
    name = name or settings.edition or None
    edition = store.named(name) if name else store.current()
    if who is not None and not who.is_staff and edition["id"] not in store.editions_of_juror(who.juror_id or ""):
        raise PermissionDenied(f"you are not on the jury of edition {edition['name']}",
                               hint="GET /editions lists yours")
    return edition


def create(db: Database, settings: Settings, *, name: str, year: int, actor: str,
           copy_from: str | None = None) -> dict:
    """A new open edition; with ``copy_from`` a copy of that edition's set-up, rubric and jury (never its entries,
    reviews or decisions)."""
    store = EditionStore(db)
    defaults = edition_defaults(settings)
    source = store.named(copy_from) if copy_from else None
    setup = {k: (source.get(k) if source and source.get(k) is not None else defaults.get(k)) for k in SETUP}
    return store.create(name, year, setup, actor, copy_from=source)


def close(db: Database, settings: Settings, *, name: str, actor: str) -> dict:
    """Close the edition ``name``: its entries into the archive, the edition read-only from now on."""
    store = EditionStore(db)
    edition = store.named(name)
    with edition_scope.scoped(int(edition["id"])):
        rows = archive_rows(db, settings, edition)
    return store.close(edition, rows, actor)


def outcome(decisions: Mapping[str, Any]) -> str:
    """participant / finalist / winner / special_prize from an entry's latest decisions (kind → Decision)."""
    award = decisions.get("award")
    if award is not None and award.value == "special":
        return "special_prize"
    if award is not None and award.value.isdigit():
        return "winner"
    finalist = decisions.get("finalist")
    return "finalist" if finalist is not None and finalist.value == "yes" else "participant"


def archive_rows(db: Database, settings: Settings, edition: Mapping[str, Any]) -> list[dict]:
    """Every entry of the edition in scope as an archive row (text from the parse cache)."""
    from review_service.contest.scoring import current_decisions
    from review_service.intake.receive import cached_parse

    themes: dict[str, list[str]] = {}
    for draft in db.ai_results_per_batch("themes"):
        for row in draft["payload"] or []:
            label = str(row.get("label") or row.get("theme") or "")
            if label:
                themes[str(row["id"])] = [label]
    decided = current_decisions(db)
    out = []
    for record in db.submissions():
        if record.get("status") == "failed":
            text = ""
        else:
            parsed = cached_parse(record["sha256"], settings, db)
            text = parsed.text if parsed is not None else ""
        form = record.get("form") or {}
        entry_id = record["entry_id"]
        places = decided.get(entry_id, {})
        award = places.get("award")
        out.append({"doc_id": entry_id, "entry_id": entry_id, "text": text,
                    "title": str(form.get("project_title") or form.get("title") or Path(record["file_name"]).stem),
                    "lang": record.get("language") if record.get("language") in LANGS else "und",
                    "year": edition["year"], "themes": themes.get(entry_id, []),
                    "region": str(form.get("region") or ""), "library_type": str(form.get("library_type") or ""),
                    "outcome": outcome(places), "meta": {"file_name": record["file_name"],
                                                         **({"award": award.value} if award else {})}})
    return out


# -- importing a past edition ------------------------------------------------------------------------------------
def import_edition(db: Database, settings: Settings, source: Path, *, name: str, year: int, actor: str) -> dict:
    """A past edition's entries into the archive, from a JSONL (``{"id", "text"[, "title", "lang", "outcome",
    "theme", "region", "library_type", "year"]}``) or a folder of entry files. The edition is made (closed) when
    there is none of that name. Run again, it adds only what is new."""
    source = Path(source)
    if source.is_dir():
        rows = _folder_rows(source, settings)
    elif source.is_file():
        rows = _jsonl_rows(source)
    else:
        raise InputError(f"{source} is neither a folder of entry files nor a JSONL file")
    store = EditionStore(db)
    try:
        edition = store.named(name)
    except NotFound:  # a past edition the service never held
        edition = store.create(name, year, {}, actor, state="closed")
    added = store.import_archive(edition, rows, actor)
    return {"edition": edition["name"], "read": len(rows), "added": len(added)}


def _outcome(value: Any, where: str) -> str:
    text = str(value or "participant").strip().lower().replace(" ", "_").replace("-", "_")
    text = {"special": "special_prize", "prize": "special_prize"}.get(text, text)
    if text not in OUTCOMES:
        raise InputError(f"{where}: outcome {value!r} is not one of {', '.join(OUTCOMES)}")
    return text


def _jsonl_rows(path: Path) -> list[dict]:
    from review_service.core.exchange import read_jsonl
    from review_service.core.normalize import normalize_text

    rows: list[dict] = []
    seen: set[str] = set()
    for n, row in enumerate(read_jsonl(path), 1):
        where = f"{path.name}: line {n}"
        if not isinstance(row, dict) or "id" not in row or not isinstance(row.get("text"), str):
            raise InputError(f'{where} needs "id" and "text"', hint='{"id": "p1", "text": "...", "outcome": "winner"}')
        doc_id = str(row["id"]).strip()
        if not doc_id or len(doc_id) > 200 or doc_id in seen:
            raise InputError(f"{where}: id {doc_id[:40]!r} is empty, too long or repeated")
        seen.add(doc_id)
        lang = row.get("lang") or detect_language(row["text"])
        if lang not in (*LANGS, "und"):
            raise InputError(f"{where}: lang {lang!r} is not one of kk, ru, en")
        theme = row.get("theme") or row.get("topic")
        year = row.get("year")
        if year is not None and not (isinstance(year, int) or str(year).isdigit()):
            raise InputError(f"{where}: year {year!r} is not a number")
        known = {"id", "text", "title", "lang", "outcome", "theme", "topic", "region", "library_type", "year"}
        rows.append({"doc_id": doc_id, "text": normalize_text(row["text"]), "title": str(row.get("title") or ""), "lang": lang,
                     "year": int(year) if year is not None else None,
                     "themes": [str(theme)] if theme else [], "region": str(row.get("region") or ""),
                     "library_type": str(row.get("library_type") or ""),
                     "outcome": _outcome(row.get("outcome"), where),
                     "meta": {k: v if isinstance(v, str) else json.dumps(v, ensure_ascii=False)
                              for k, v in row.items() if k not in known}})
    return rows


def _folder_rows(folder: Path, settings: Settings) -> list[dict]:
    """Each readable file of the folder, parsed as intake parses an entry; one that cannot be read is an error
    naming it (nothing is imported)."""
    from review_service.core.normalize import normalize_text
    from review_service.intake.parsing import parse_file
    from review_service.intake.receive import list_files

    rows: list[dict] = []
    for path in list_files(folder):
        try:
            parsed = parse_file(path, settings)
        except IntakeError as exc:
            raise InputError(f"{path.name} could not be read [{exc.code}]: {exc.message}",
                             hint="remove it from the folder or fix it, then import again") from exc
        text = normalize_text(parsed.text)
        rows.append({"doc_id": path.stem, "text": text, "title": path.stem, "lang": _lang(text),
                     "outcome": "participant", "meta": {"file_name": path.name}})
    if not rows:
        raise InputError(f"{folder} holds no entry files")
    return rows


def _lang(text: str) -> str:
    lang = detect_language(text)
    return lang if lang in LANGS else "und"


def rubric_and_jury(db: Database, edition: Mapping[str, Any]) -> dict:
    """What an edition was set up with (for a listing): its latest rubric version and its jury."""
    with edition_scope.scoped(int(edition["id"])):
        rubric = JuryStore(db).rubric()
    return {"rubric_version": rubric["version"] if rubric else None, "jury": EditionStore(db).jury(int(edition["id"]))}

