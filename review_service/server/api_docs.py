"""The interactive API documents, offline: ``/docs`` (Swagger UI) and ``/redoc`` (ReDoc) load their script and
style from the files the ``fastapi-offline`` package ships, served here under ``/static/apidocs/`` — never from a
CDN (the service runs without the Internet, and should not run a third party's script beside a signed-in
organizer's cookie).

Each document page has its own Content-Security-Policy (the security-headers middleware keeps a policy a route
sets): Swagger UI's one inline start-up script is allowed by its SHA-256 hash, nothing else inline; ReDoc injects
its styles at run time (styled-components) and builds its search worker from a ``blob:``, so ``/redoc`` allows
inline styles and blob workers — on a page that shows only the public OpenAPI document. Both pages may reach
only this origin (``connect-src 'self'``). Should the package be missing, both answer 404 (problem+json).
"""
from __future__ import annotations

import base64
import hashlib
import re
from importlib import resources
from pathlib import Path

from fastapi import APIRouter, FastAPI, Request
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from review_service.core.errors import NotFound
from review_service.server.security_headers import policy

ASSETS = "/static/apidocs"
router = APIRouter(include_in_schema=False)
_INLINE_SCRIPT = re.compile(r"<script>(.*?)</script>", re.DOTALL)
_BASE = {"default-src": "'self'", "img-src": "'self' data:", "connect-src": "'self'", "object-src": "'none'",
         "base-uri": "'none'", "form-action": "'self'", "frame-ancestors": "'none'"}


def assets_dir() -> Path | None:
    """The folder of swagger-ui-bundle.js, swagger-ui.css and redoc.standalone.js, or None without the package."""
    try:
        folder = Path(str(resources.files("fastapi_offline") / "static"))
    except ModuleNotFoundError:
        return None
    return folder if (folder / "swagger-ui-bundle.js").is_file() else None


def _hashes(html: str) -> str:
    return " ".join(f"'sha256-{base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()}'"
                    for body in _INLINE_SCRIPT.findall(html))


def _served(response: HTMLResponse, directives: dict[str, str]) -> HTMLResponse:
    response.headers["Content-Security-Policy"] = policy({**_BASE, **directives})
    return response


@router.get("/docs")
def swagger(request: Request) -> HTMLResponse:
    """Swagger UI over /openapi.json; "Authorize" takes a login and password (the OAuth2 password form)."""
    if assets_dir() is None:
        raise NotFound("Swagger UI's files are not installed", hint="install the fastapi-offline package")
    page = get_swagger_ui_html(openapi_url=request.app.openapi_url, title=f"{request.app.title} · API",
                               swagger_js_url=f"{ASSETS}/swagger-ui-bundle.js",
                               swagger_css_url=f"{ASSETS}/swagger-ui.css", swagger_favicon_url=f"{ASSETS}/favicon.png",
                               oauth2_redirect_url=None, swagger_ui_parameters={"validatorUrl": None})
    html = bytes(page.body).decode()
    return _served(page, {"script-src": f"'self' {_hashes(html)}", "style-src": "'self'"})


@router.get("/redoc")
def redoc(request: Request) -> HTMLResponse:
    """ReDoc over /openapi.json (read-only)."""
    if assets_dir() is None:
        raise NotFound("ReDoc's files are not installed", hint="install the fastapi-offline package")
    page = get_redoc_html(openapi_url=request.app.openapi_url, title=f"{request.app.title} · API",
                          redoc_js_url=f"{ASSETS}/redoc.standalone.js", redoc_favicon_url=f"{ASSETS}/favicon.png",
                          with_google_fonts=False)
    return _served(page, {"script-src": "'self'", "style-src": "'self' 'unsafe-inline'",
                          "worker-src": "'self' blob:", "font-src": "'self' data:"})


def install(app: FastAPI) -> None:
    """The two document routes, and their assets under /static/apidocs (call before /static is mounted: the
    first mount that matches a path serves it)."""
    app.include_router(router)
    folder = assets_dir()
    if folder is not None:
        app.mount(ASSETS, StaticFiles(directory=folder), name="apidocs")
