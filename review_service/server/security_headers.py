"""Security headers on every response — API, pages, static files, originals, errors, 404s and 500s alike: one
ASGI middleware, installed outside everything else (``install``), so that nothing is answered without them.

- ``Content-Security-Policy``: pages load script, style, images, media and frames from this origin only, and
  nothing inline (the templates have no inline script, style or event attribute; app.js and app.css are
  files). Originals and renditions (``/files/…``) get ``sandbox`` — no script, no form, an opaque origin, even
  if a browser rendered one as a page — and may be framed by this origin only (the entry page shows a PDF in
  an iframe); recordings get ``sandbox allow-same-origin`` (see ``MEDIA_POLICY``). A route that sets its own
  policy keeps it (the API documents, :mod:`review_service.server.api_docs`).
- ``X-Frame-Options: DENY`` (``SAMEORIGIN`` for /files), matching ``frame-ancestors``: no other site frames a
  page (clickjacking).
- ``X-Content-Type-Options: nosniff``: the declared type is the type; a browser never guesses HTML.
- ``Referrer-Policy: no-referrer``: entry codes and ids in URLs do not leave in a Referer.
- ``Cache-Control: no-store`` on the sign-in and sign-out answers (a token or a session cookie).
"""
from __future__ import annotations

from fastapi import FastAPI
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

CSP = "Content-Security-Policy"
FILES = "/files/"
NO_STORE = frozenset({"/auth/token", "/auth/logout", "/login", "/logout"})


def policy(directives: dict[str, str]) -> str:
    return "; ".join(f"{name} {value}".strip() for name, value in directives.items())


PAGES_POLICY = policy({"default-src": "'self'", "script-src": "'self'", "style-src": "'self'",
                       "img-src": "'self' data:", "media-src": "'self'", "frame-src": "'self'",
                       "connect-src": "'self'", "object-src": "'none'", "base-uri": "'none'",
                       "form-action": "'self'", "frame-ancestors": "'none'"})
# style-src, img-src: an error page under /files keeps its style sheet (its script does not run: sandbox)
FILES_POLICY = policy({"sandbox": "", "default-src": "'none'", "style-src": "'self'", "img-src": "'self'",
                       "frame-ancestors": "'self'"})
# A recording opened in a tab is played by the browser's own media page, which loads the same URL: in an opaque
# origin (plain sandbox) Chromium refuses that load (CORS), so recordings keep their origin — still no script,
# form, plugin or pop-up (no allow-scripts), nothing loaded but the recording itself.
MEDIA_POLICY = policy({"sandbox": "allow-same-origin", "default-src": "'none'", "media-src": "'self'",
                       "frame-ancestors": "'self'"})


def headers_for(path: str, existing: MutableHeaders) -> dict[str, str]:
    """The security headers of a response to ``path`` (``existing``: the headers the app set)."""
    files = path.startswith(FILES)
    if files:
        media = existing.get("content-type", "").startswith(("audio/", "video/"))
        csp = MEDIA_POLICY if media else FILES_POLICY
    else:
        csp = existing.get(CSP) or PAGES_POLICY
    out = {"X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer",
           "X-Frame-Options": "SAMEORIGIN" if files else "DENY", CSP: csp}
    if path in NO_STORE:
        out["Cache-Control"] = "no-store"
    return out


class SecurityHeaders:
    """Pure ASGI (streamed and ranged file responses pass through untouched): adds the headers to the start of
    every HTTP response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope["path"]

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in headers_for(path, headers).items():
                    headers[name] = value
            await send(message)

        await self.app(scope, receive, send_with_headers)


def install(app: FastAPI) -> None:
    """Wrap the app's whole middleware stack — Starlette's error middleware, which answers 500s, included."""
    build = app.build_middleware_stack
    app.build_middleware_stack = lambda: SecurityHeaders(build())  # type: ignore[method-assign]
