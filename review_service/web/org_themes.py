"""Organizer pages: the themes the AI drafted for the latest batch with themes — entries grouped by theme, and
the 2-D map the themes stage drew (``drafts.read``)."""
from __future__ import annotations

from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse

from review_service.batches.job_runner import report_dir
from review_service.contest.accounts import Principal
from review_service.core.config import Settings
from review_service.server.deps import DbDep, SettingsDep, page_user
from review_service.storage import Database
from review_service.storage.job_store import JobStore

from .render import marked as _
from .render import page
from .views import entry_titles

router = APIRouter(prefix="/org", include_in_schema=False)
DraftReader = Annotated[Principal, page_user("drafts.read")]


NO_MAP = {"not_drawn": _("There is no map: the themes of the latest batch were drafted without a report folder, "
                         "so no map was drawn. Run the batch again from the Batches page to draw one."),
          "not_here": _("There is no map here: the latest themes come from a batch screened on the command line, "
                        "and its map is in that command's report folder (themes.png)."),
          "file_gone": _("There is no map: the file the themes stage drew is no longer in the batch's report "
                         "folder. Run the batch again to draw it.")}
"""Why the themes page shows no map (the page says so instead of a broken image or a 404;
``no_themes``: the page says there are no themes yet)."""


def _themes_map(db: Database, settings: Settings) -> tuple[Path | None, str]:
    """The 2-D map the themes stage drew for the latest batch with themes (in that job's report folder), or why
    there is none (a key of :data:`NO_MAP`)."""
    found = db.latest_ai_result("themes")
    if not found:
        return None, "no_themes"
    if not (found.get("provenance") or {}).get("map"):
        return None, "not_drawn"
    job = next((j for j in JobStore(db).list() if j["batch_id"] == found.get("batch_id")), None)
    if job is None:
        return None, "not_here"
    path = report_dir(settings, job["id"]) / "themes.png"
    return (path, "") if path.is_file() else (None, "file_gone")


@router.get("/themes", response_class=HTMLResponse)
def themes_page(request: Request, db: DbDep, settings: SettingsDep, who: DraftReader) -> HTMLResponse:
    found = db.latest_ai_result("themes")
    groups: dict[int, list[dict]] = {}
    for row in (found or {}).get("payload") or []:
        groups.setdefault(int(row["theme"]), []).append(row)
    path, why = _themes_map(db, settings)
    return page(request, "web/org/themes.html", themes=sorted(groups.items()), titles=entry_titles(db),
                has_map=path is not None, no_map=NO_MAP.get(why, ""))


@router.get("/themes/map.png", response_model=None)
def themes_map(db: DbDep, settings: SettingsDep, who: DraftReader) -> FileResponse | RedirectResponse:
    """The map's image; without one, to the themes page, which says why there is none."""
    path, _why = _themes_map(db, settings)
    if path is None:
        return RedirectResponse("/org/themes#map", status_code=303)
    return FileResponse(path, media_type="image/png")
