"""Write the bundled, fictional sample data: contest entries, application forms, archive, jurors, ground truth.

    .venv/bin/python scripts/make_sample_data.py            # writes sample_data/
    .venv/bin/python scripts/make_sample_data.py --out DIR  # anywhere else

Deterministic: the text files (forms.csv, archive.jsonl, jurors.jsonl, expected.json, TXT/MD entries) are
byte-for-byte the same on every run; DOCX/PPTX/PDF carry fixed dates and zip stamps (the AES-encrypted PDF
has a random salt by design). Everything here is fictional; regions and towns are real.
"""
from __future__ import annotations

import argparse
import csv
import json
import logging
import shutil
import subprocess
import sys
import unicodedata
import wave
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from sample_data.archive import build_archive
from sample_data.budget import budget_section
from sample_data.jurors import CONFLICTS, JURORS, NON_CONFLICTS
from sample_data.model import Entry, body_text
from sample_data.writers import (
    docx_bytes,
    encrypt_pdf,
    text_document,
    write_pdf,
    write_pptx,
    write_scanned_pdf,
)

from sample_data import entries_en, entries_kk, entries_latn, entries_ru, planted

logger = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parents[1]
DEADLINE = "2026-11-15T23:59:59+05:00"
ENCRYPTED_KEY, PDF_PASSWORD = "ru10", "kitap2026"
FORM_COLUMNS = ["file_name", "surname", "name", "age", "library", "library_type", "region", "contact",
                "participation", "team_members", "project_title", "received_at"]
TOPICS = {
    "kk01": "chatbot", "kk02": "ocr", "kk03": "children", "kk04": "access", "kk05": "catalog",
    "kk06": "medialit", "kk07": "analytics", "kk08": "localhist", "kk09": "langlearn", "kk10": "reading_promo",
    "kk11": "recommend", "kk12": "events", "mx01": "langlearn", "ru01": "search", "ru02": "catalog",
    "ru03": "ocr", "ru04": "chatbot", "ru05": "access", "ru06": "analytics", "ru07": "medialit",
    "ru08": "recommend", "ru09": "children", "ru10": "research", "ru11": "chatbot", "ru12": "inventory",
    "en01": "research", "en02": "catalog", "en03": "access", "en04": "analytics", "en05": "children",
    "rs01": "children", "nc01": "medialit", "ts01": "analytics", "em01": "chatbot", "sc01": "digital_access",
    "av01": "chatbot",
}


def with_budget(entry: Entry) -> Entry:
    """Insert a short budget section before the entry's last section."""
    lang = {"kk-latn": "kk", "mixed": "kk"}.get(entry.lang, entry.lang)
    section = budget_section(lang, entry.extra.get("budget_seed", entry.key))
    head, sep, last = entry.body.rstrip().rpartition("\n# ")
    return replace(entry, body=f"{head}\n\n{section}{sep.lstrip()}{last}\n")


def all_entries() -> list[Entry]:
    latin = [entries_latn.latinized(with_budget(e)) for e in entries_latn.ENTRIES]
    written = [with_budget(e) for e in [*entries_kk.ENTRIES, *entries_ru.ENTRIES, *entries_en.ENTRIES,
                                        *planted.ENTRIES]]
    kk, ru_en = written[:len(entries_kk.ENTRIES)], written[len(entries_kk.ENTRIES):]
    return [*kk, *latin, *ru_en, planted.EMPTY, planted.SCANNED, planted.MEDIA]


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def write_entry(entry: Entry, folder: Path) -> dict[str, object]:
    """Write one entry file; return facts about it for expected.json."""
    path = folder / nfc(entry.name_on_disk)
    author = f"{entry.surname} {entry.name}"
    if entry.form.participation == "team" and entry.form.team_members:
        author = entry.form.team_members
    byline = f"{entry.form.library}, {entry.form.region}"
    if entry.lang == "kk-latn":
        byline = entries_latn.to_latin(byline)
    sections = entry.sections()
    kw = {"title": entry.title, "author": author, "byline": byline, "lang": entry.lang, "sections": sections}
    facts: dict[str, object] = {}
    if entry.key == planted.EMPTY.key:
        path.write_bytes(b"")
    elif entry.key == planted.SCANNED.key:
        facts["pages"] = write_scanned_pdf(path, entries_kk.OMAROVA_SCANNED_TEXT)
    elif entry.key == planted.MEDIA.key:
        facts.update(write_speech(path, entries_ru.SADYKOV_SPEECH))
    elif entry.fmt == "pdf":
        write_pdf(path, **kw)
        if entry.key == ENCRYPTED_KEY:
            encrypt_pdf(path, PDF_PASSWORD)
    elif entry.fmt == "docx":
        path.write_bytes(docx_bytes(table=entry.table, **kw))
    elif entry.fmt == "pptx":
        n = int(entry.extra["slides"]) if "slides" in entry.extra else None
        facts["slides"] = write_pptx(path, contact=entry.form.contact, n_slides=n, **kw)
    elif entry.fmt in ("txt", "md"):
        text = text_document(markdown=entry.fmt == "md", wrap=78 if entry.key == "ru06" else 0, **kw)
        if entry.key == "kk04":  # saved by Windows Notepad: BOM and CRLF
            path.write_bytes(("\ufeff" + text).replace("\n", "\r\n").encode("utf-8"))
        else:
            path.write_text(text, encoding="utf-8", newline="\n")
    else:
        raise ValueError(f"unknown format {entry.fmt!r} for {entry.key}")
    if sections:
        facts["words"] = entry.words()
    return facts


def write_speech(path: Path, text: str) -> dict[str, object]:
    """A short Russian spoken presentation: espeak-ng → 16 kHz mono 16-bit WAV (skipped if espeak-ng is absent)."""
    espeak = shutil.which("espeak-ng")
    if espeak is None:
        logger.warning("espeak-ng not found: %s not written", path.name)
        return {"transcript": text}
    raw = path.with_suffix(".raw.wav")
    subprocess.run([espeak, "-v", "ru", "-s", "150", "-w", str(raw), text], check=True, capture_output=True)
    import numpy as np

    with wave.open(str(raw), "rb") as src:
        rate, frames = src.getframerate(), src.readframes(src.getnframes())
    raw.unlink()
    samples = np.frombuffer(frames, dtype="<i2").astype(np.float64)
    target = 16000
    n_out = int(len(samples) * target / rate)
    resampled = np.interp(np.arange(n_out) * rate / target, np.arange(len(samples)), samples)
    with wave.open(str(path), "wb") as dst:
        dst.setnchannels(1)
        dst.setsampwidth(2)
        dst.setframerate(target)
        dst.writeframes(np.clip(resampled, -32768, 32767).astype("<i2").tobytes())
    return {"transcript": text, "duration_s": round(n_out / target, 2)}


def form_row(entry: Entry) -> dict[str, object]:
    f = entry.form
    return {
        "file_name": nfc(entry.name_on_disk), "surname": entry.surname, "name": entry.name, "age": f.age,
        "library": f.library, "library_type": f.library_type, "region": f.region, "contact": f.contact,
        "participation": f.participation, "team_members": f.team_members, "project_title": entry.title,
        "received_at": f.received_at,
    }


def _by_key(entries: list[Entry]) -> dict[str, str]:
    return {e.key: nfc(e.name_on_disk) for e in entries}


def planted_problems(entries: list[Entry], facts: dict[str, dict[str, object]]) -> list[dict[str, object]]:
    n = _by_key(entries)
    return [
        {"kind": "translation", "files": [n["kk05"], n["ru02"]], "langs": ["kk", "ru"],
         "note": "the Kazakh entry is a faithful translation of the Russian one (different applicants)"},
        {"kind": "near_copy", "files": [n["nc01"], n["ru07"]],
         "note": "a few words and figures changed, one clause dropped, one sentence added, two sections swapped"},
        {"kind": "resubmission", "files": [n["rs01"]], "archive_ids": [planted.RESUBMITTED_ARCHIVE_ID],
         "note": "the 2024 archive project sent again under a new applicant's name, lightly edited"},
        {"kind": "translated_section", "files": [n["ts01"], n["ru06"]], "langs": ["kk", "ru"],
         "sections": list(planted.TRANSLATED_AS), "source_sections": list(planted.TRANSLATED_FROM),
         "note": "two sections of the Kazakh entry are translated from the Russian one; the rest is its own"},
        {"kind": "partial_overlap", "files": [n["kk12"], n["kk01"]],
         "section": "Чат-боттың мүмкіндіктері",
         "note": "one section of the first file is copied verbatim from the second"},
        {"kind": "empty_file", "files": [n["em01"]]},
        {"kind": "scanned_pdf", "files": [n["sc01"]], "pages": facts["sc01"].get("pages"),
         "text": entries_kk.OMAROVA_SCANNED_TEXT, "note": "images only, no text layer"},
        {"kind": "age_over_35", "files": [n["ru03"]], "age": 47},
        {"kind": "misnamed_file", "files": [n["en02"]], "expected_name": "ЖИ байқауы_Baimukhanov.docx"},
        {"kind": "late_entry", "files": [n["ru08"]], "received_at": planted_form(entries, "ru08"),
         "deadline": DEADLINE},
        {"kind": "wrong_extension", "files": [n["ru05"]], "actual_format": "docx"},
        {"kind": "encrypted_pdf", "files": [n[ENCRYPTED_KEY]], "password": PDF_PASSWORD},
        {"kind": "library_type_not_allowed", "files": [n["ru11"], n["en04"]], "library_types": ["school", "private"]},
        {"kind": "presentation_too_long", "files": [n["ru12"]], "slides": facts["ru12"].get("slides")},
    ]


def planted_form(entries: list[Entry], key: str) -> str:
    return next(e.form.received_at for e in entries if e.key == key)


def expected(entries: list[Entry], facts: dict[str, dict[str, object]]) -> dict[str, object]:
    n = _by_key(entries)
    rows = []
    for e in entries:
        lang = "kk" if e.lang == "kk-latn" else e.lang
        real_format = "docx" if e.key == "ru05" else e.fmt
        rows.append({"file_name": n[e.key], "key": e.key, "lang": lang,
                     "script": "latn" if e.lang in ("kk-latn", "en") else "cyrl",
                     "format": real_format, "topic": TOPICS[e.key], **facts.get(e.key, {})})
    return {
        "schema": "sample-expected/1",
        "deadline": DEADLINE,
        "max_age": 35,
        "allowed_library_types": ["public_mcib", "university", "college"],
        "entries": rows,
        "planted": planted_problems(entries, facts),
        "boundary_cases": [
            {"kind": "received_one_minute_before_deadline", "files": [n["ru09"]]},
            {"kind": "age_exactly_35", "files": [n["ru09"], n["sc01"]]},
        ],
        "conflicts": CONFLICTS,
        "non_conflicts": NON_CONFLICTS,
    }


def write_jsonl(path: Path, rows: list[dict[str, object]]) -> None:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")


def generate(out: Path) -> None:
    entries = all_entries()
    folder = out / "entries"
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    facts = {e.key: write_entry(e, folder) for e in entries}
    with open(out / "forms.csv", "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=FORM_COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(form_row(e) for e in entries)
    write_jsonl(out / "archive.jsonl", build_archive())
    write_jsonl(out / "jurors.jsonl", JURORS)
    (out / "expected.json").write_text(json.dumps(expected(entries, facts), ensure_ascii=False, indent=2) + "\n",
                                       encoding="utf-8")
    # plain texts of the readable entries, for reference and for tests that need the ground-truth text
    texts = [{"file_name": nfc(e.name_on_disk), "text": body_text(e.title, e.sections())}
             for e in entries if e.sections()]
    write_jsonl(out / "entry_texts.jsonl", texts)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "sample_data")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    args.out.mkdir(parents=True, exist_ok=True)
    generate(args.out)
    logger.info("sample data written to %s", args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
