"""Exports: results and every score (CSV, XLSX), decisions, the audit log (organizers); a juror's own scores."""
from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter
from fastapi.responses import Response

from review_service.contest import exports, permissions, scoring
from review_service.contest.accounts import Principal
from review_service.contest.counting import Counting, label
from review_service.server.deps import DbDep, SettingsDep, user
from review_service.storage.jury_store import JuryStore

from .jury_routes import labels

router = APIRouter(prefix="/exports", tags=["exports"])
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class CsvResponse(Response):
    media_type = "text/csv; charset=utf-8"


class XlsxResponse(Response):
    media_type = XLSX


def _file(body: bytes, name: str, cls: type[Response]) -> Response:
    return cls(body, headers={"Content-Disposition": f'attachment; filename="{name}"'})


CSV_DOC: dict[int | str, dict[str, Any]] = {200: {"content": {"text/csv": {"schema": {"type": "string"}}}, "description": "CSV (UTF-8, BOM)"}}
XLSX_DOC: dict[int | str, dict[str, Any]] = {200: {"content": {XLSX: {"schema": {"type": "string", "format": "binary"}}}, "description": "XLSX"}}


@router.get("/results.csv", response_class=CsvResponse, responses=CSV_DOC)
def results_csv(db: DbDep, settings: SettingsDep, who: Annotated[Principal, user("exports.all")]) -> Response:
    rows = exports.result_rows(scoring.results(db, settings.disagreement), labels(db), scoring.current_decisions(db))
    return _file(exports.to_csv(exports.RESULT_COLUMNS, rows), "results.csv", CsvResponse)


@router.get("/scores.csv", response_class=CsvResponse, responses=CSV_DOC)
def scores_csv(db: DbDep, who: Annotated[Principal, user("exports.all")]) -> Response:
    counting = Counting(db)
    rows = exports.score_rows(JuryStore(db).reviews(), labels(db),
                              lambda juror, entry: label(counting.status(juror, entry)))
    return _file(exports.to_csv(exports.SCORE_COLUMNS, rows), "scores.csv", CsvResponse)


@router.get("/results.xlsx", response_class=XlsxResponse, responses=XLSX_DOC)
def results_xlsx(db: DbDep, settings: SettingsDep, who: Annotated[Principal, user("exports.all")]) -> Response:
    """A summary sheet (means, ranks, flags, decisions, each juror's total) and one sheet per criterion."""
    store = JuryStore(db)
    rubric = store.rubric() or {"criteria": []}
    body = exports.results_xlsx(scoring.results(db, settings.disagreement), store.reviews(), rubric, labels(db),
                                scoring.current_decisions(db))
    return _file(body, "results.xlsx", XlsxResponse)


@router.get("/decisions.csv", response_class=CsvResponse, responses=CSV_DOC)
def decisions_csv(db: DbDep, who: Annotated[Principal, user("exports.all")]) -> Response:
    names = labels(db)
    rows = [{**d.as_dict(), "code": names.get(d.entry_id, {}).get("code", "")} for d in JuryStore(db).decisions()]
    return _file(exports.to_csv(exports.DECISION_COLUMNS, rows), "decisions.csv", CsvResponse)


@router.get("/audit.csv", response_class=CsvResponse, responses=CSV_DOC)
def audit_csv(db: DbDep, who: Annotated[Principal, user("exports.all")]) -> Response:
    rows = db.audit_log()
    return _file(exports.to_csv(exports.AUDIT_COLUMNS, rows), "audit.csv", CsvResponse)


@router.get("/my-scores.csv", response_class=CsvResponse, responses=CSV_DOC)
def my_scores_csv(db: DbDep, settings: SettingsDep, who: Annotated[Principal, user("exports.mine")]) -> Response:
    """The caller's own scores; in blind mode entries appear under their codes only."""
    blind = permissions.blind_for(who, settings.blind_review)
    mine = JuryStore(db).reviews(juror_id=who.juror_id)
    names = labels(db)
    if blind:
        names = {r["entry_id"]: {"code": permissions.entry_code(r["entry_id"]), "file_name": ""} for r in mine}
    counting = Counting(db)
    rows = exports.score_rows(mine, names, lambda juror, entry: label(counting.status(juror, entry)))
    if blind:
        rows = [{**row, "entry_id": names[row["entry_id"]]["code"]} for row in rows]
    return _file(exports.to_csv(exports.SCORE_COLUMNS, rows), "my-scores.csv", CsvResponse)
