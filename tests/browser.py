"""Helpers for the browser tests: a real uvicorn server on loopback, Debian's Chromium driven by Playwright,
and pages that remember their console errors. Test modules import the fixtures from here; the session's one
Chromium is the `chromium` fixture in conftest.py."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

import pytest

from app.web.app import create_app
from lab_settings import make_settings
from live_server import live_server as serve

CHROMIUM = Path(os.environ.get("BACKPROP_LAB_CHROMIUM", "/usr/bin/chromium"))
# Headless, and nothing that reaches for the internet (without these flags Chromium keeps trying).
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}

sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is in the test extra: scripts/setup test")


@dataclass(frozen=True)
class ServedApp:
    url: str  # ends in "/", so page paths are appended to it


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServedApp]:
    """The app under uvicorn (tests/live_server.py), as `backprop-lab serve` runs it, for the whole session."""
    # Saved models go to a database of the test session's own, never to backprop-lab.db in the working folder.
    database = tmp_path_factory.mktemp("models") / "models.db"
    with serve(create_app(make_settings(database_url=f"sqlite:///{database}")), lifespan="on") as server:
        yield ServedApp(server.url + "/")


class Dashboard:
    """A page of the dashboard, with what its console said and a few ways to read the store."""

    def __init__(self, page: Any, base_url: str):
        self.page = page
        self.base_url = base_url
        self.console_errors: list[str] = []
        page.on("console", lambda msg: msg.type == "error" and self.console_errors.append(msg.text))
        page.on("pageerror", lambda error: self.console_errors.append(str(error)))

    def open(self, hash_: str = "") -> Dashboard:
        self.page.goto(self.base_url + hash_)
        self.wait_for("window.backpropLab && window.backpropLab.frame !== undefined && window.backpropLab.frame !== null"
                      " && window.backpropLab.framesDrawn > 0")
        return self

    def lab(self, name: str) -> Any:
        """One property of window.backpropLab, the store's read-only view."""
        return self.page.evaluate(f"() => window.backpropLab[{json.dumps(name)}]")

    def wait_for(self, expression: str, timeout: float = 15_000) -> None:
        self.page.wait_for_function(f"() => {expression}", timeout=timeout)

    def screenshot(self, name: str) -> Path:
        ARTIFACTS.mkdir(exist_ok=True)
        path = ARTIFACTS / name
        self.page.screenshot(path=str(path), full_page=False)
        return path


@pytest.fixture
def dashboard(chromium: Any, live_server: ServedApp) -> Iterator[Dashboard]:
    context = chromium.new_context(viewport=DESKTOP)
    page = context.new_page()
    yield Dashboard(page, live_server.url)
    context.close()


def new_dashboard(chromium: Any, live_server: ServedApp, viewport: dict[str, int]) -> tuple[Any, Dashboard]:
    """A dashboard in its own browser context (own viewport, nothing shared); close the context when done."""
    context = chromium.new_context(viewport=viewport)
    return context, Dashboard(context.new_page(), live_server.url)
