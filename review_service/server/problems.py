"""An ``application/problem+json`` answer (RFC 9457), and what it must never show: the server's own folders.

:func:`problem` builds every error answer of the API (``app.install_problem_handlers``, the upload cap of
:mod:`review_service.server.body_limit`); :func:`without_paths` replaces the data folder, the folder batches are read from
and the working folder in a message by their names (``{data_dir}`` …), so no answer tells a caller where the
service keeps its files.
"""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

from fastapi.responses import JSONResponse

HINTS = {  # what to do, where an error brings no hint of its own
    400: "check the request against the OpenAPI document (/docs)",
    401: "sign in: POST /auth/token, then send Authorization: Bearer <token>",
    403: "this needs another role; ask an administrator",
    404: "check the id or path; the list routes (GET /entries, GET /batches/…) show what exists",
    405: "see the OpenAPI document (/docs) for the methods of this path",
    409: "reload the object and try again",
    413: "send less in one request",
    422: "see the OpenAPI document (/docs) for what this route accepts",
    429: "wait, then try again",
}


def problem(status: int, code: str, detail: str, hint: str = "", *, headers: dict[str, str] | None = None,
            **extra) -> JSONResponse:
    body = {"type": f"urn:review-service:{code}", "title": code.replace("_", " "), "status": status,
            "detail": detail, "code": code, "hint": hint or HINTS.get(status, ""), **extra}
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
