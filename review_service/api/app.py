"""The app factory, its lifespan, and the one place that turns errors into application/problem+json."""
from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from contextlib import asynccontextmanager
from typing import TypeVar

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from review_service import __version__
from review_service.config import Settings, get_settings
from review_service.errors import ReviewError
from review_service.search.engine import SearchEngine
from review_service.storage import open_database

from . import batches, routes

logger = logging.getLogger(__name__)
T = TypeVar("T")


def create_app(settings: Settings | None = None, *, search_engine: SearchEngine | None = None) -> FastAPI:
    """The API; ``search_engine`` replaces the engine over ``settings.archive`` (benchmarks, embedding hosts)."""
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        app.state.settings = settings
        app.state.db = open_database(settings)
        app.state.search_engine = _once(lambda: search_engine or _archive_engine(settings))
        searchable = search_engine is not None or settings.archive.is_file()
        mode = query_encoder_mode(settings) if searchable else "eager"  # nothing to embed questions for
        app.state.query_encoder = {"compiled": "compiling", "onnx": "loading"}.get(mode, "eager")
        if settings.environment == "production" and searchable:
            app.state.search_engine()  # warm: the embedder and the index load before the first request
        if mode != "eager":
            threading.Thread(target=_prepare_queries, args=(app, mode, settings.query_encoder == mode),
                             name=f"{mode}-query-encoder", daemon=True).start()
        yield
        app.state.db.close()

    app = FastAPI(title="review-service", version=__version__, lifespan=lifespan,
                  description="Jury dashboard API. AI outputs are drafts; only a person (X-Actor) records a "
                              "score or a decision.")

    @app.exception_handler(ReviewError)
    async def problem(_: Request, exc: ReviewError) -> JSONResponse:
        body = {"type": f"urn:review-service:{exc.code}", "title": exc.code.replace("_", " "),
                "status": exc.http_status, "detail": exc.message, "code": exc.code, "hint": exc.hint}
        return JSONResponse(body, status_code=exc.http_status, media_type="application/problem+json")

    @app.get("/health", tags=["health"])
    def health() -> dict:
        return {"status": "ok", "version": __version__, "schema_version": app.state.db.schema_version(),
                "query_encoder": app.state.query_encoder}

    for router in (routes.entries, routes.drafts, routes.audit, routes.search, batches.router):
        app.include_router(router)
    return app


def _archive_engine(settings: Settings) -> SearchEngine:
    from review_service.search.cache import engine_for_corpus

    return engine_for_corpus(settings.archive, settings)


def _once(make: Callable[[], T]) -> Callable[[], T]:
    """``make()`` run at most once even when requests arrive together (a second build of a large index would
    double start-up time and memory); a failure is not kept, so the next call tries again."""
    lock = threading.Lock()
    made: list[T] = []

    def get() -> T:
        with lock:
            if not made:
                made.append(make())
        return made[0]

    return get


def query_encoder_mode(settings: Settings) -> str:
    """``compiled``, ``onnx`` or ``eager``: what the API prepares for new questions (see ``Settings.query_encoder``)."""
    if settings.compile_query_encoder or settings.query_encoder == "compiled":
        return "compiled"
    if settings.query_encoder == "onnx" or (settings.query_encoder == "auto" and settings.environment != "test"):
        return "onnx"
    return "eager"


def _prepare_queries(app: FastAPI, mode: str, required: bool) -> None:
    """Background start-up work: the engine (if not yet warm), then the fast query path — ``onnx`` (loaded and
    verified) or ``compiled`` (compiled and verified). Requests are answered eagerly meanwhile; ``/health`` shows
    loading / compiling, then onnx-int8 / compiled, or eager with a logged reason. ``required``: log at error."""
    try:
        encoder = app.state.search_engine().encoder
        if mode == "onnx":
            ready = bool(getattr(encoder, "use_onnx_queries", lambda **_: False)(required=required))
        else:
            ready = bool(getattr(encoder, "compile_queries", lambda: False)())
    except Exception as exc:  # noqa: BLE001 - the optional speed-up must never take the API down
        (logger.error if required else logger.warning)("%s query encoder not used (%s); queries stay eager", mode, exc)
        ready = False
    app.state.query_encoder = {"onnx": "onnx-int8", "compiled": "compiled"}[mode] if ready else "eager"
