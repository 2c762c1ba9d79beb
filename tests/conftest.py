"""Shared fixtures: an app built by create_app with its own Settings (REST tests), a model database over both
backends (saved-model tests), and one headless Chromium for every browser test of the session.

- `database_url`: a fresh, empty model database for each test, parametrized over both backends:
  "sqlite" (a file in tmp_path) and "postgres" (a real PostgreSQL server).
- PostgreSQL: the server is the one BACKPROP_LAB_TEST_POSTGRES_URL names (scripts/test exports it from
  scripts/postgres). Without that variable the tests run scripts/postgres themselves (it is idempotent,
  and installs PostgreSQL when run as root); if that fails, the postgres half of the suite FAILS with the
  reason. It is never skipped silently. Each test run works in a database of its own
  (backprop_test_<pid>_<random>), dropped at the end, so runs side by side cannot disturb each other.
"""

from __future__ import annotations

import os
import secrets
import subprocess
from pathlib import Path
from typing import Any, Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text

from app.settings import Settings
from app.store import normalize_url
from app.store.database import metadata
from app.web.app import create_app
from lab_settings import make_settings

ROOT = Path(__file__).resolve().parents[1]
pytest_plugins = ["browser"]  # the browser tests' fixtures: live_server (the dashboard served once), dashboard
POSTGRES_ENV = "BACKPROP_LAB_TEST_POSTGRES_URL"
BACKENDS = ["sqlite", "postgres"]


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """The laptop defaults; saved models go to this test's own database, never to the working folder's."""
    return make_settings(database_url=f"sqlite:///{tmp_path / 'models.db'}")


@pytest.fixture
def client(settings: Settings):
    with TestClient(create_app(settings)) as test_client:
        yield test_client


# --- PostgreSQL ---------------------------------------------------------------------------------

@pytest.fixture(scope="session")
def postgres_server_url() -> str:
    url = os.environ.get(POSTGRES_ENV)
    if url:
        return url
    try:
        done = subprocess.run([str(ROOT / "scripts" / "postgres")], capture_output=True, text=True, timeout=600)
    except (OSError, subprocess.TimeoutExpired) as e:
        pytest.fail(f"{POSTGRES_ENV} is not set and scripts/postgres could not run ({e}); run scripts/test, or "
                    f"export {POSTGRES_ENV}=$(scripts/postgres)", pytrace=False)
    if done.returncode != 0 or not done.stdout.strip():
        pytest.fail(f"{POSTGRES_ENV} is not set and scripts/postgres failed (exit {done.returncode}):\n"
                    f"{done.stderr[-2000:]}\nRun scripts/postgres (as root it installs PostgreSQL), then "
                    f"export {POSTGRES_ENV}=<the URL it prints>", pytrace=False)
    return done.stdout.strip().splitlines()[-1]


@pytest.fixture(scope="session")
def postgres_database(postgres_server_url: str) -> Iterator[str]:
    """A database of this test run's own on the test server; its URL."""
    server = normalize_url(postgres_server_url)
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    name = f"backprop_test_{os.getpid()}_{secrets.token_hex(3)}"
    try:
        with admin.connect() as conn:
            _drop_abandoned(conn)
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    except Exception as e:  # noqa: BLE001 - any failure here means the server is not usable
        pytest.fail(f"cannot create a test database on {server.render_as_string(hide_password=True)}: {e}\n"
                    f"Is the server from scripts/postgres running?", pytrace=False)
    yield server.set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.dispose()


def _drop_abandoned(conn) -> None:
    """Databases of earlier test runs whose process is gone (killed before it could clean up)."""
    rows = conn.execute(text(r"SELECT datname FROM pg_database WHERE datname LIKE 'backprop\_test\_%\_%'"))
    for (name,) in rows.all():
        pid = name.split("_")[2]
        if pid.isdigit() and not Path(f"/proc/{pid}").exists():
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _empty_postgres(url: str) -> str:
    engine = create_engine(normalize_url(url))
    with engine.begin() as conn:
        metadata.drop_all(conn)
    engine.dispose()
    return url


@pytest.fixture(params=BACKENDS)
def backend(request) -> str:
    return request.param


@pytest.fixture
def database_url(backend: str, tmp_path: Path, request) -> str:
    """An empty model database on this test's backend (no tables yet)."""
    if backend == "sqlite":
        return f"sqlite:///{tmp_path / 'models.db'}"
    return _empty_postgres(request.getfixturevalue("postgres_database"))


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
