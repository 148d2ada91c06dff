"""The screening report, serialised once from the typed batch: ``screening.json`` (the versioned schema,
docs/screening-schema.md) and a readable ``report.html`` rendered from the same dict."""
from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape

from review_service.batches.document_stages import duplicate_rows, theme_rows
from review_service.batches.typed_batch import Batch
from review_service.core.exchange import write_json, write_text
from review_service.intake.receive import form_key, status_of

SCHEMA = "review-service/screening"
SCHEMA_VERSION = "1.0"


def _(message: str) -> str:
    """Marks a message for the catalogs; report.html translates it (screening.json keeps the English)."""
    return message


AI_NOTICE = _("Everything marked AI in this report is a draft, a flag or a suggestion made by software. It is not a "
             "score and not a decision: the organizing committee and the jury decide, and only a person's action "
             "records a score, an eligibility decision or a final assignment.")
REPORT_LANGUAGES = ("kk", "ru", "en")


def final_records(batch: Batch) -> list[dict]:
    """Each file's screening record with the batch's checks (topic included), a ``duplicate_flag`` reason where
    the duplicates stage flagged it, and the status that follows."""
    flagged = {f.a for f in batch.flags} | {f.b for f in batch.flags}
    out = []
    for entry in batch.entries:
        record = dict(entry.record)
        record["checks"] = [dataclasses.asdict(c) for c in batch.checks_of(entry)]
        reasons = [r for r in record["reasons"] if r["code"] != "duplicate_flag"]
        if entry.id in flagged:
            reasons.append({"code": "duplicate_flag",
                            "message": "AI flagged a possible duplicate (a draft); see Duplicates"})
        record["reasons"] = reasons
        record["status"] = status_of(record)
        out.append(record)
    return out


def summary(records: list[dict], forms: Mapping[str, dict]) -> dict:
    by = {s: sum(r["status"] == s for r in records) for s in ("ok", "needs_attention", "failed")}
    seen = {r["file_name"].casefold() for r in records}
    seen |= {form_key(r["form"]["file_name"]) for r in records if r.get("form") and r["form"].get("file_name")}
    missing = sorted(row.get("file_name", k) for k, row in forms.items() if k not in seen)
    return {"files": len(records), **by, "forms_without_file": missing}


def build_report(batch: Batch, settings: Any, *, forms: Mapping[str, dict], records: list[dict] | None = None,
                 generated_at: str | None = None) -> dict:
    """``screening.json`` as a dict: the one serialisation of a finished batch."""
    records = final_records(batch) if records is None else records
    report: dict[str, Any] = {
        "schema": SCHEMA, "schema_version": SCHEMA_VERSION,
        "generated_at": generated_at or datetime.now(UTC).isoformat(timespec="seconds"),
        "contest": settings.contest_name, "ai_notice": AI_NOTICE, "source": batch.source, "batch_id": batch.id,
        "rules": {"deadline": settings.deadline.isoformat(), "max_age": settings.max_age,
                  "presentation_minutes": settings.presentation_minutes,
                  "allowed_library_types": list(settings.allowed_library_types)},
        "summary": summary(records, forms), "files": records,
        "duplicates": duplicate_rows(batch), "themes": theme_rows(batch),
        "assignment": ({k: v for k, v in batch.suggestion.items() if k != "matrix"}  # the matrix is for re-solving
                       if batch.suggestion is not None else None),
        "notes": [dict(n) for n in batch.notes],
        "stage_errors": [dataclasses.asdict(e) for e in batch.errors],
        "timings_s": dict(batch.timings), "provenance": {k: dict(v) for k, v in batch.provenance.items()},
    }
    if batch.themes_map:
        report["themes_map"] = batch.themes_map
    return report


def render_html(report: dict, lang: str = "en", timezone: str = "Asia/Almaty") -> str:
    """``report.html`` in ``lang`` (kk, ru, en), from the same message catalogs as the pages; entry texts,
    file names and notes are shown as written."""
    from review_service.core import i18n

    env = Environment(loader=PackageLoader("review_service", "templates"), autoescape=select_autoescape(["html"]),
                      extensions=["jinja2.ext.i18n"])
    i18n.install(env, lang, timezone)
    from review_service.stages.notes.phrases import reworded

    env.filters["reworded"] = lambda sentence: reworded(sentence, lang)  # a note's fixed sentences, in ``lang``
    return env.get_template("report.html").render(r=report, lang=lang)


def write_report(report: dict, out_dir: Path, lang: str = "en", timezone: str = "Asia/Almaty") -> tuple[Path, Path]:
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    json_path, html_path = out_dir / "screening.json", out_dir / "report.html"
    write_json(json_path, report)
    write_text(html_path, render_html(report, lang, timezone))
    return json_path, html_path
