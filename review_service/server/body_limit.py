"""The cap on a request's body (``REVIEW_MAX_UPLOAD_BYTES``, every file and field of it together), checked while
it streams in: a declared ``Content-Length`` over the cap is refused before a byte is read, and a body that grows
past it is refused at the chunk that crosses it — before the multipart parser has spooled the rest to disk. The
answer is 413 ``application/problem+json`` (``too_large``); nothing of the request is kept (the parser's spool
files are anonymous temporary files, and the route, which saves uploads, never runs).

A pure ASGI middleware: the request is counted as the app reads it, whatever the app does with it.
"""
from __future__ import annotations

from fastapi.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from review_service.server.problems import problem


class BodyTooLarge(Exception):
    """Raised inside the app's ``receive`` once the body passes the cap (the app's own answer is then dropped)."""


class BodyCap:
    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app, self.max_bytes = app, max_bytes

    def _refusal(self) -> JSONResponse:
        mib = self.max_bytes / (1 << 20)
        return problem(413, "too_large", f"the request is over {mib:g} MiB in all; nothing of it was kept",
                       "send fewer or smaller files per request, or put the batch in a folder on the server "
                       "(REVIEW_MAX_UPLOAD_BYTES sets the limit)")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await self._refusal()(scope, receive, send)
            return
        seen, over, started = 0, False, False

        async def counted() -> Message:
            nonlocal seen, over
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    over = True
                    raise BodyTooLarge
            return message

        async def guarded(message: Message) -> None:
            nonlocal started
            if over and not started:
                return  # the app's answer to a body it could not read is replaced by the 413 below
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, guarded)
        except Exception:
            if not over:
                raise
        if over and not started:
            await self._refusal()(scope, receive, send)
