"""Shared fixtures: an app built by create_app with its own Settings (REST tests), and one headless Chromium for
every browser test of the session."""

from __future__ import annotations

from typing import Any, Iterator

import pytest
from fastapi.testclient import TestClient

from app.settings import Settings
from app.web.app import create_app


@pytest.fixture
def settings() -> Settings:
    """The laptop defaults, written out so BACKPROP_LAB_* variables in the environment cannot change a test."""
    return Settings(**{name: field.default for name, field in Settings.model_fields.items()})


@pytest.fixture
def client(settings: Settings):
    with TestClient(create_app(settings)) as test_client:
        yield test_client


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    """Debian's Chromium under Playwright, launched once for all browser tests (tests/browser.py has the flags)."""
    from browser import CHROMIUM, CHROMIUM_ARGS, sync_api

    if not CHROMIUM.exists():
        pytest.skip(f"no Chromium at {CHROMIUM}: scripts/test installs Debian's chromium when run as root")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Browser tests last: Playwright's sync API keeps an event loop running in the main thread until the
    session ends, and tests that call asyncio.run() cannot run after it."""
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)
