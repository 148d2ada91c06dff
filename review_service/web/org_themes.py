"""Organizer pages: the themes the AI drafted for the latest batch with themes — entries grouped by theme, and
the 2-D map the themes stage drew (``drafts.read``)."""
from __future__ import annotations

from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse

from review_service.batches.job_runner import report_dir
from review_service.contest.accounts import Principal
from review_service.core.config import Settings
from review_service.server.deps import DbDep, SettingsDep, page_user
from review_service.server.page_errors import PageError
from review_service.storage import Database
from review_service.storage.job_store import JobStore

from .render import page
from .views import entry_titles

router = APIRouter(prefix="/org", include_in_schema=False)
DraftReader = Annotated[Principal, page_user("drafts.read")]


def _themes_map(db: Database, settings: Settings) -> Path | None:
    """The 2-D map the themes stage drew for the latest batch with themes (in that job's report folder)."""
    found = db.latest_ai_result("themes")
    if not found or not (found.get("provenance") or {}).get("map"):
        return None
    job = next((j for j in JobStore(db).list() if j["batch_id"] == found.get("batch_id")), None)
    path = report_dir(settings, job["id"]) / "themes.png" if job else None
    return path if path is not None and path.is_file() else None


@router.get("/themes", response_class=HTMLResponse)
def themes_page(request: Request, db: DbDep, settings: SettingsDep, who: DraftReader) -> HTMLResponse:
    found = db.latest_ai_result("themes")
    groups: dict[int, list[dict]] = {}
    for row in (found or {}).get("payload") or []:
        groups.setdefault(int(row["theme"]), []).append(row)
    return page(request, "web/org/themes.html", themes=sorted(groups.items()), titles=entry_titles(db),
                has_map=_themes_map(db, settings) is not None)


@router.get("/themes/map.png")
def themes_map(db: DbDep, settings: SettingsDep, who: DraftReader):
    path = _themes_map(db, settings)
    if path is None:
        raise PageError(404, "not_found")
    return FileResponse(path, media_type="image/png")
