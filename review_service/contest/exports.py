"""Exports for organizers (results, every score, decisions, the audit log) and a juror's own scores.

CSV (UTF-8 with BOM, so spreadsheet programs read Kazakh and Russian) and XLSX (openpyxl: a summary sheet and
one sheet per criterion). Every text cell of every export — headers, criterion names, titles, comments, juror
ids, file names — goes through :func:`cell`: text that a spreadsheet would run as a formula (``=``, ``+``, ``-``,
``@`` first, also after a tab, CR or LF) gets a leading ``'`` and stays text. Numbers stay numbers (a negative
z-score is a numeric cell in XLSX and ``-0.5`` in CSV); text that is just a number (``-1``) is left as it is, it
cannot run. Blind mode: a juror's export holds entry codes only — the caller passes the projected rows.
"""
from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from review_service.contest.results import EntryResult, NotCounted, weighted_total
from review_service.storage.records import Decision

RESULT_COLUMNS = ("entry_id", "code", "file_name", "submitted", "required", "raw_mean", "z_mean", "rank_raw",
                  "rank_z", "tie_raw", "tie_z", "spread", "disagreement", "eligibility", "finalist", "award",
                  "not_counted")
SCORE_COLUMNS = ("entry_id", "code", "file_name", "juror", "status", "rubric_version", "criterion", "value",
                 "comment", "submitted_at", "counted")
DECISION_COLUMNS = ("id", "entry_id", "code", "kind", "value", "reason", "actor", "at")
AUDIT_COLUMNS = ("id", "at", "actor", "action", "subject", "detail", "before", "after", "prev_hash", "hash")


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")
_NUMBER = re.compile(r"^[+-]?(\d+([.,]\d*)?|[.,]\d+)([eE][+-]?\d+)?$")


_XLSX_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")  # control characters XLSX cannot hold


def cell(value: Any, *, xlsx: bool = False) -> Any:
    """A value as an export writes it: text that could run as a formula gets a leading ``'`` (so it is shown,
    never evaluated); numbers, booleans, None and text that is a plain number are returned unchanged. ``xlsx``:
    control characters an XLSX cell cannot hold are dropped too."""
    if not isinstance(value, str):
        return value
    if xlsx:
        value = _XLSX_ILLEGAL.sub("", value)
    if value.lstrip(" ")[:1] in FORMULA_STARTS and not _NUMBER.match(value.strip()):
        return "'" + value
    return value


def to_csv(columns: Sequence[str], rows: Iterable[dict]) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow([cell(c) for c in columns])
    for row in rows:
        writer.writerow([cell("" if row.get(c) is None else row.get(c)) for c in columns])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def result_rows(results: Sequence[EntryResult], labels: dict[str, dict],
                decisions: dict[str, dict[str, Decision]]) -> list[dict]:
    rows = []
    for r in results:
        d = decisions.get(r.entry_id, {})
        rows.append({"entry_id": r.entry_id, **labels.get(r.entry_id, {}), "submitted": r.submitted,
                     "required": r.required, "raw_mean": r.raw_mean, "z_mean": r.z_mean, "rank_raw": r.rank_raw,
                     "rank_z": r.rank_z, "tie_raw": r.tie_raw, "tie_z": r.tie_z, "spread": r.spread,
                     "disagreement": r.disagreement,
                     **{k: d[k].value if k in d else "" for k in ("eligibility", "finalist", "award")},
                     "not_counted": "; ".join(_aside(n) for n in r.not_counted)})
    return rows


def _aside(n: NotCounted) -> str:
    return f"{n.juror} {n.total:g} ({n.reason}{' ' + n.since[:10] if n.since else ''})"


def score_rows(reviews: Sequence[dict], labels: dict[str, dict],
               counted: Callable[[str, str], str] | None = None) -> list[dict]:
    """One row per score; ``counted(juror, entry)`` fills the ``counted`` column (yes, removed DATE, conflict,
    declared_conflict, abstained, not_assigned: :func:`review_service.contest.counting.label`)."""
    rows = []
    for rv in reviews:
        status = counted(rv["juror_id"], rv["entry_id"]) if counted else ""
        for criterion, v in sorted(rv["scores"].items()):
            rows.append({"entry_id": rv["entry_id"], **labels.get(rv["entry_id"], {}), "juror": rv["juror_id"],
                         "status": rv["status"], "rubric_version": rv["rubric_version"], "criterion": criterion,
                         "value": v["value"], "comment": v["comment"], "submitted_at": rv.get("submitted_at"),
                         "counted": status})
    return rows


def results_xlsx(results: Sequence[EntryResult], reviews: Sequence[dict], rubric: dict, labels: dict[str, dict],
                 decisions: dict[str, dict[str, Decision]]) -> bytes:
    """Summary (one row per entry, each juror's weighted total beside the means and ranks) and one sheet per
    criterion of ``rubric`` (entries × jurors, the submitted values that count; the others are named in the
    summary's ``not_counted`` column)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    counts = {(res.entry_id, t.juror) for res in results for t in res.totals}
    submitted = [r for r in reviews if r["status"] == "submitted" and (r["entry_id"], r["juror_id"]) in counts]
    jurors = sorted({r["juror_id"] for r in submitted})
    def texts(values) -> list:
        return [cell(v, xlsx=True) for v in values]

    wb = Workbook()
    ws = wb.active
    ws.title = "Summary"
    head = [*RESULT_COLUMNS, *(f"total {j}" for j in jurors)]
    ws.append(texts(head))
    for row, res in zip(result_rows(results, labels, decisions), results, strict=True):
        totals = {t.juror: t.total for t in res.totals}
        ws.append(texts(row.get(c) for c in RESULT_COLUMNS) + texts(totals.get(j) for j in jurors))
    for first in ws[1]:
        first.font = Font(bold=True)
    ws.freeze_panes = "B2"
    for c in rubric["criteria"]:
        sheet = wb.create_sheet(c["id"][:31])
        title = f"{c['name'].get('ru', c['id'])} / {c['name'].get('kk', '')} / {c['name'].get('en', '')}"
        sheet.append(texts([title, f"weight {c['weight']:g}, scale {c['min']:g}–{c['max']:g} step {c['step']:g}"]))
        sheet.append(texts(("entry_id", "code", *jurors, "mean")))
        values = {(r["entry_id"], r["juror_id"]): r["scores"].get(c["id"], {}).get("value") for r in submitted}
        for res in results:
            vals = [values.get((res.entry_id, j)) for j in jurors]
            present = [v for v in vals if v is not None]
            sheet.append([*texts([res.entry_id, labels.get(res.entry_id, {}).get("code")]), *vals,
                          round(sum(present) / len(present), 4) if present else None])
        for first in sheet[2]:
            first.font = Font(bold=True)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


__all__ = ["AUDIT_COLUMNS", "DECISION_COLUMNS", "RESULT_COLUMNS", "SCORE_COLUMNS", "cell", "result_rows",
           "results_xlsx", "score_rows", "to_csv", "weighted_total"]
