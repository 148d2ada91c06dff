"""An ``application/problem+json`` answer (RFC 9457), and what it must never show: the server's own folders.

:func:`problem` builds every error answer of the API (``app.install_problem_handlers``, the upload cap of
:mod:`review_service.api.limits`); :func:`without_paths` replaces the data folder, the folder batches are read from
and the working folder in a message by their names (``{data_dir}`` …), so no answer tells a caller where the
service keeps its files.
"""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

from fastapi.responses import JSONResponse


def problem(status: int, code: str, detail: str, hint: str = "", *, headers: dict[str, str] | None = None,
            **extra) -> JSONResponse:
    body = {"type": f"urn:review-service:{code}", "title": code.replace("_", " "), "status": status,
            "detail": detail, "code": code, "hint": hint, **extra}
    headers = {**({"WWW-Authenticate": "Bearer"} if status == 401 else {}), **(headers or {})}
    return JSONResponse(body, status_code=status, media_type="application/problem+json", headers=headers or None)


def server_folders(settings) -> list[tuple[str, str]]:
    """(absolute folder, its name in messages), the longest first."""
    named = [(settings.server_folders, "{server_folders}"), (settings.data_dir, "{data_dir}"),
             (Path.cwd(), "."), (Path(tempfile.gettempdir()), "{tmp}"), (Path.home(), "~")]
    out: dict[str, str] = {}
    for folder, name in named:
        if folder is None:
            continue
        for form in {str(Path(folder)), str(Path(folder).resolve()), os.path.abspath(folder)}:
            if form not in ("/", "") and form not in out:
                out[form] = name
    return sorted(out.items(), key=lambda kv: -len(kv[0]))


def without_paths(text: str, settings) -> str:
    for folder, name in server_folders(settings):
        text = text.replace(folder, name)
    return text
