"""The app factory, its lifespan, and the one place that turns errors into application/problem+json."""
from __future__ import annotations

import logging
from contextlib import asynccontextmanager
from functools import lru_cache

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from review_service import __version__
from review_service.config import Settings, get_settings
from review_service.errors import ReviewError
from review_service.storage import open_database

from . import routes

logger = logging.getLogger(__name__)


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        app.state.settings = settings
        app.state.db = open_database(settings)

        @lru_cache(maxsize=1)
        def search_engine():
            from review_service.search.cache import engine_for_corpus

            return engine_for_corpus(settings.archive, settings)

        app.state.search_engine = search_engine
        if settings.environment == "production" and settings.archive.is_file():
            search_engine()  # warm: the embedder and the index load before the first request
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
        return {"status": "ok", "version": __version__, "schema_version": app.state.db.schema_version()}

    for router in (routes.entries, routes.drafts, routes.audit, routes.search):
        app.include_router(router)
    return app
