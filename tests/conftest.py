"""Fixtures for the REST API tests: an app built by create_app with its own Settings."""

from __future__ import annotations

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


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Browser tests last: Playwright's sync API keeps an event loop running in the main thread until the
    session ends, and tests that call asyncio.run() cannot run after it."""
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)
