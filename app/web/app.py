"""The application factory: tests build apps with their own settings."""

from __future__ import annotations

from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from app import __version__
from app.settings import Settings
from app.store import ModelStore
from app.web.bodylimit import TOO_LARGE, BodyLimitMiddleware
from app.web.compute import ComputePool, document_request_bodies
from app.web.errors import StrictJSONResponse, install_error_handlers
from app.web.live import SessionRegistry
from app.web.loaded_models import LoadedModels
from app.web.ratelimit import RateLimitMiddleware
from app.web.routers import backprop, check, datasets, health, live, models, pages, script, training
from app.web.security import (CROSS_SITE_WRITE, HOST_REFUSED, UNSAFE_METHODS, SecurityHeadersMiddleware,
                              SiteCheckMiddleware)

ROOT = Path(__file__).resolve().parents[2]  # the project folder, holding static/ and templates/
VENDOR = {"uplot": "node_modules/uplot/dist", "katex": "node_modules/katex/dist",
          "swagger-ui": "node_modules/swagger-ui-dist"}

DESCRIPTION = """
Watch backpropagation work. Every number of a forward and backward pass is available here:
`POST /api/backprop` is the place to check a hand-written backprop, number by number.

Conventions: examples are rows; `W[l]` has shape `[n_out][n_in]` (like w_jk); the quadratic cost is
½Σ(a−y)² per example, and every cost is averaged over the examples.
"""


RATE_LIMITED = {
    "description": "too many requests from this client (BACKPROP_LAB_RATE_LIMIT per minute); try again after "
                   "Retry-After seconds",
    "headers": {"Retry-After": {"description": "seconds to wait", "schema": {"type": "integer"}}},
    "content": {"application/json": {"schema": {"type": "object", "properties": {"detail": {"type": "string"}}}}},
}


class RootPathMiddleware:
    """Serve under a reverse proxy's path prefix (docs/deploy.md), as `uvicorn --root-path` would: links, /docs
    and the routes see `root_path`; requests arrive with the prefix stripped by the proxy, or still on it."""

    def __init__(self, app, root_path: str):
        self.app, self.root_path = app, root_path

    async def __call__(self, scope, receive, send):
        if scope["type"] in ("http", "websocket"):
            path = scope["path"]
            if path != self.root_path and not path.startswith(self.root_path + "/"):
                path = self.root_path + path  # ASGI: `path` includes `root_path`
            scope = {**scope, "root_path": self.root_path, "path": path}
        await self.app(scope, receive, send)


BAD_BODY = {
    "description": "the body could not be read at all: not UTF-8, JSON nested too deeply, or a broken multipart form "
                   "(a body that is JSON but not the expected one is a 422)",
    "content": {"application/json": {"schema": {"type": "object", "properties": {"detail": {"type": "string"}}}}},
}


def _also(responses: dict, status: str, answer: dict) -> None:
    """List `answer` under `status`, beside what the operation already says there (one status, one entry)."""
    if status in responses:
        answer = {**answer, **responses[status],
                  "description": f"{responses[status]['description']}; or {answer['description']}"}
    responses[status] = answer


def _document_middleware_answers(app: FastAPI) -> None:
    """FastAPI answers a body it cannot even decode with 400 without listing it, and BodyLimitMiddleware answers
    one that is too large with 413: list both on every operation that takes a body, and SiteCheckMiddleware's 403
    on every write, so the schema names every status code the API sends (tests/test_fuzz_api.py)."""
    generate = app.openapi

    def openapi() -> dict:
        if app.openapi_schema is None:
            for item in generate()["paths"].values():
                for method, operation in item.items():
                    if "requestBody" in operation:
                        _also(operation["responses"], "400", BAD_BODY)
                        operation["responses"].setdefault("413", TOO_LARGE)
                    if method.upper() in UNSAFE_METHODS:
                        _also(operation["responses"], "403", CROSS_SITE_WRITE)
        return app.openapi_schema

    app.openapi = openapi


@asynccontextmanager
async def _lifespan(app: FastAPI):
    await app.state.compute.start()
    try:
        yield
    finally:
        app.state.compute.close()  # the REST API's compute processes
        app.state.store.close()  # the saved-model database's connections


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    app = FastAPI(title="Backprop Lab", version=__version__, description=DESCRIPTION,
                  default_response_class=StrictJSONResponse, lifespan=_lifespan,
                  docs_url=None, redoc_url=None)  # /docs is app/web/routers/pages.py's: Swagger UI from npm, no CDN
    app.state.settings = settings
    install_error_handlers(app)
    _document_middleware_answers(app)
    app.state.compute = ComputePool(settings)  # where /api/backprop, gradcheck, train and check run
    document_request_bodies(app)
    app.state.sessions = SessionRegistry()
    # Saved models. Nothing touches the database until the first use (or ModelStore.migrate()).
    app.state.store = ModelStore(app.state.settings.database_url, max_models=app.state.settings.max_saved_models,
                                 max_name_length=app.state.settings.max_model_name)
    app.state.loaded_models = LoadedModels()  # networks kept loaded for predict
    limited = {429: RATE_LIMITED} if settings.rate_limit > 0 else {}  # the 429 is documented where it can happen
    for module in (backprop, check, training, datasets, health, live, models, pages, script):
        app.include_router(module.router, responses={400: HOST_REFUSED, **(limited if module is not health else {})})
    if settings.save_quota > 0:
        models.document_save_quota(app)

    app.mount("/static", StaticFiles(directory=ROOT / "static"), name="static")
    # The dashboard's libraries, installed by `npm ci` (scripts/setup) and served locally: no CDN, works offline.
    # check_dir=False: the API still starts where npm was never run; only the page then lacks its charts.
    for name, folder in VENDOR.items():
        app.mount(f"/vendor/{name}", StaticFiles(directory=ROOT / folder, check_dir=False), name=f"vendor-{name}")

    # Outermost last: every response, the 429s and 413s included, carries the security headers. The body limit
    # sits inside the rate limit, so a client sending oversized bodies also spends its requests.
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes)
    if settings.rate_limit > 0:
        app.add_middleware(RateLimitMiddleware, per_minute=settings.rate_limit, burst=settings.rate_limit_burst)
    # Other sites' pages (DNS rebinding, cross-site writes) are refused before anything counts or runs.
    app.add_middleware(SiteCheckMiddleware, allowed_hosts=settings.allowed_hosts,
                       allowed_origins=settings.allowed_origins)
    app.add_middleware(SecurityHeadersMiddleware, frame_ancestors=settings.frame_ancestors)
    if settings.root_path:
        app.add_middleware(RootPathMiddleware, root_path=settings.root_path)

    return app
