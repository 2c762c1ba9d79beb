"""The application factory: tests build apps with their own settings."""

from __future__ import annotations

from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from app import __version__
from app.settings import Settings
from app.store import ModelStore
from app.web.errors import StrictJSONResponse, install_error_handlers
from app.web.live import SessionRegistry
from app.web.routers import backprop, datasets, health, live, models, training

ROOT = Path(__file__).resolve().parents[2]  # the project folder, holding static/ and templates/
VENDOR = {"uplot": "node_modules/uplot/dist", "katex": "node_modules/katex/dist"}

DESCRIPTION = """
Watch backpropagation work. Every number of a forward and backward pass is available here:
`POST /api/backprop` is the place to check a hand-written backprop, number by number.

Conventions: examples are rows; `W[l]` has shape `[n_out][n_in]` (like w_jk); the quadratic cost is
½Σ(a−y)² per example, and every cost is averaged over the examples.
"""


@asynccontextmanager
async def _lifespan(app: FastAPI):
    try:
        yield
    finally:
        app.state.store.close()  # the saved-model database's connections


def create_app(settings: Settings | None = None) -> FastAPI:
    app = FastAPI(title="Backprop Lab", version=__version__, description=DESCRIPTION,
                  default_response_class=StrictJSONResponse, lifespan=_lifespan)
    app.state.settings = settings or Settings()
    install_error_handlers(app)
    app.state.sessions = SessionRegistry()
    # Saved models. Nothing touches the database until the first use (or ModelStore.migrate()).
    app.state.store = ModelStore(app.state.settings.database_url, max_models=app.state.settings.max_saved_models,
                                 max_name_length=app.state.settings.max_model_name)
    for module in (backprop, training, datasets, health, live, models):
        app.include_router(module.router)

    app.mount("/static", StaticFiles(directory=ROOT / "static"), name="static")
    # The dashboard's libraries, installed by `npm ci` (scripts/setup) and served locally: no CDN, works offline.
    # check_dir=False: the API still starts where npm was never run; only the page then lacks its charts.
    for name, folder in VENDOR.items():
        app.mount(f"/vendor/{name}", StaticFiles(directory=ROOT / folder, check_dir=False), name=f"vendor-{name}")
    templates = Jinja2Templates(directory=ROOT / "templates")

    @app.get("/", include_in_schema=False)
    def index(request: Request):
        return templates.TemplateResponse(request, "index.html", {"version": __version__})

    return app
