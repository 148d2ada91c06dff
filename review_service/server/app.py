"""The app factory, its lifespan, and the one place that turns errors into application/problem+json."""
from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Callable
from contextlib import asynccontextmanager
from typing import TypeVar

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from review_service import __version__
from review_service.api import (
    assignment_routes,
    auth_routes,
    edition_routes,
    export_routes,
    jury_routes,
    say_routes,
)
from review_service.api import (
    batch_routes as batches,
)
from review_service.api import (
    entry_routes as routes,
)
from review_service.api.schemas import Health, Problem
from review_service.core.config import Settings, get_settings
from review_service.core.errors import ReviewError
from review_service.intake.renditions import LazyRenderer
from review_service.search.archive import ArchiveSearch
from review_service.search.engine import SearchEngine
from review_service.server import api_docs as docs
from review_service.server import security_headers as headers
from review_service.server.body_limit import BodyCap
from review_service.server.deps import in_edition
from review_service.server.problems import problem, without_paths
from review_service.storage import ValueOutOfRange, open_database
from review_service.storage.edition_store import EditionStore
from review_service.web import pages
from review_service.web.render import static_dir

logger = logging.getLogger(__name__)
T = TypeVar("T")


def create_app(settings: Settings | None = None, *, search_engine: SearchEngine | None = None) -> FastAPI:
    """The API; ``search_engine`` replaces the engine over the archive tables (benchmarks, embedding hosts)."""
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        app.state.settings = settings
        app.state.db = open_database(settings)
        app.state.renderer = LazyRenderer(settings)  # pages of an older batch: DOCX/PPTX → PDF in the background
        app.state.search_engine = _once(lambda: search_engine) if search_engine is not None \
            else ArchiveSearch(app.state.db, settings)  # the archive tables, followed as they grow
        searchable = search_engine is not None or EditionStore(app.state.db).count_archive() > 0
        mode = query_encoder_mode(settings) if searchable else "eager"  # nothing to embed questions for
        app.state.query_encoder = {"compiled": "compiling", "onnx": "loading"}.get(mode, "eager")
        if settings.environment == "production" and searchable:
            app.state.search_engine()  # warm: the embedder and the index load before the first request
        if mode != "eager":
            threading.Thread(target=_prepare_queries, args=(app, mode, settings.query_encoder == mode),
                             name=f"{mode}-query-encoder", daemon=True).start()
        yield
        app.state.renderer.close()
        app.state.db.close()

    app = FastAPI(title="review-service", version=__version__, lifespan=lifespan, docs_url=None, redoc_url=None,
                  dependencies=[Depends(in_edition)],  # every request works in one edition (server/deps.py)
                  description="The jury's service. Sign in with POST /auth/token (OAuth2 password form) and send "
                              "`Authorization: Bearer <token>`. AI outputs are drafts; only a signed-in person "
                              "records a score, a decision, a publication or a flag review. Every error is "
                              "application/problem+json.",
                  responses={401: {"model": Problem, "description": "no or invalid credentials"},
                             403: {"model": Problem, "description": "not allowed for this role"},
                             422: {"model": Problem, "description": "invalid request"}})
    install_problem_handlers(app)
    app.add_middleware(BodyCap, max_bytes=settings.max_upload_bytes)  # a request's total bytes (server/body_limit.py)
    app.openapi = lambda: _openapi(app)  # type: ignore[method-assign]

    @app.get("/health", tags=["health"], response_model=Health)
    def health() -> dict:
        """Liveness (no sign-in needed)."""
        return {"status": "ok", "version": __version__, "schema_version": app.state.db.schema_version(),
                "query_encoder": app.state.query_encoder}

    for router in (auth_routes.auth, auth_routes.users, routes.entries, jury_routes.reviews, jury_routes.rubric,
                   assignment_routes.router, jury_routes.results, jury_routes.flags, routes.drafts, routes.audit,
                   export_routes.router, routes.search, batches.router, say_routes.router,
                   edition_routes.router):
        app.include_router(router)
    pages.install(app)
    docs.install(app)  # /docs and /redoc, their assets under /static/apidocs: before /static
    app.mount("/static", StaticFiles(directory=static_dir()), name="static")
    headers.install(app)
    return app


def _openapi(app: FastAPI) -> dict:
    """The OpenAPI document, with every error response declared as application/problem+json (Problem)."""
    if app.openapi_schema:
        return app.openapi_schema
    from fastapi.openapi.utils import get_openapi

    schema = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
    problem = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
    public = {"/health", "/auth/token"}
    for path, item in schema.get("paths", {}).items():
        for op in item.values():
            responses = op.setdefault("responses", {})
            codes = {"413", "422", "500"} | ({"401", "429"} if path == "/auth/token" else set()) | (
                set() if path in public else {"401", "403", "404", "409"})
            for code in codes | {c for c in responses if c[0] in "45"}:
                responses[code] = {"description": responses.get(code, {}).get("description") or "problem",
                                   "content": problem}
    comps = schema.setdefault("components", {}).setdefault("schemas", {})
    comps["Problem"] = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
    for name in ("HTTPValidationError", "ValidationError"):
        comps.pop(name, None)
    app.openapi_schema = schema
    return schema


def install_problem_handlers(app: FastAPI) -> None:
    """The one place errors become application/problem+json: the service's own errors, request validation,
    HTTP errors from the framework (unknown route, wrong method) and unexpected exceptions (500, logged with an
    id that the response repeats)."""

    @app.exception_handler(ReviewError)
    async def review_error(request: Request, exc: ReviewError) -> JSONResponse:
        settings = getattr(request.app.state, "settings", None) or get_settings()
        retry = getattr(exc, "retry_after", None)
        return problem(exc.http_status, exc.code, without_paths(exc.message, settings),
                       without_paths(exc.hint, settings), headers={"Retry-After": str(retry)} if retry else None,
                       **getattr(exc, "problem_extra", {}))

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        settings = getattr(request.app.state, "settings", None) or get_settings()
        errors = [{"loc": [without_paths(str(x), settings)[:200] for x in e.get("loc", ())],
                   "msg": without_paths(str(e.get("msg", "")), settings)[:500], "type": str(e.get("type", ""))}
                  for e in exc.errors()][:50]
        first = errors[0] if errors else {"loc": [], "msg": "invalid request"}
        return problem(422, "invalid_request", f"{'.'.join(first['loc'])}: {first['msg']}",
                       "see `errors` and the OpenAPI document (/docs)", errors=errors)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = {401: "unauthorized", 403: "permission_denied", 404: "not_found", 405: "method_not_allowed"}.get(
            exc.status_code, f"http_{exc.status_code}")
        return problem(exc.status_code, code, str(exc.detail))

    @app.exception_handler(OverflowError)
    @app.exception_handler(ValueOutOfRange)
    async def out_of_range(request: Request, exc: Exception) -> JSONResponse:
        """A value the database cannot hold (a 20-digit id, a number past the column's range): the caller's error.
        Routes bound their numbers (``deps.DB_INT_MAX``); this is the net under them."""
        logger.info("out-of-range value on %s %s: %s", request.method, request.url.path, type(exc).__name__)
        return problem(422, "out_of_range", "a number (or text) in the request is out of the range the service "
                       "stores", "ids and offsets are whole numbers below 2147483648")

    @app.exception_handler(Exception)
    async def crash(request: Request, exc: Exception) -> JSONResponse:
        error_id = uuid.uuid4().hex[:12]
        logger.exception("unexpected error %s on %s %s", error_id, request.method, request.url.path)
        return problem(500, "internal_error", f"an unexpected error (id {error_id}) was logged",
                       "tell the administrator this id", error_id=error_id)


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
