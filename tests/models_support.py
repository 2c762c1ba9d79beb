"""Helpers for the saved-model tests (test_models_*.py, test_cli.py), imported by them; not a conftest.

- `database_url`: a fresh, empty model database for each test, parametrized over both backends:
  "sqlite" (a file in tmp_path) and "postgres" (a real PostgreSQL server).
- PostgreSQL: the server is the one BACKPROP_LAB_TEST_POSTGRES_URL names (scripts/test exports it from
  scripts/postgres). Without that variable the tests run scripts/postgres themselves (it is idempotent,
  and installs PostgreSQL when run as root); if that fails, the postgres half of the suite FAILS with the
  reason. It is never skipped silently. Each test run works in a database of its own
  (backprop_test_<pid>_<random>), dropped at the end, so runs side by side cannot disturb each other.
- `running_server(app)`: the app under a real uvicorn server in a thread, for restarts and real concurrency.
- `make_settings(**overrides)`: the defaults written out, so BACKPROP_LAB_* variables cannot change a test.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import socket
import subprocess
import threading
import time
from pathlib import Path
from typing import Any, Iterator

import numpy as np
import pytest
import uvicorn
from sqlalchemy import create_engine, text

from app.nn import Network, OutputLayer, to_document
from app.settings import Settings
from app.store import normalize_url
from app.store.database import metadata

ROOT = Path(__file__).resolve().parents[1]
POSTGRES_ENV = "BACKPROP_LAB_TEST_POSTGRES_URL"
BACKENDS = ["sqlite", "postgres"]


def make_settings(**overrides: Any) -> Settings:
    values = {name: f.default for name, f in Settings.model_fields.items()}
    values.update(overrides)
    return Settings(**values)


def model_doc(sizes=(2, 3, 2), kind: str = "softmax_ce", hidden: str = "sigmoid", seed: int = 0) -> dict:
    return to_document(Network.create(list(sizes), hidden, OutputLayer.from_kind(kind), seed=seed))


def bits(document: dict) -> list[np.ndarray]:
    """Every weight and bias as its raw 64 bits, to compare documents bit for bit (-0.0 included)."""
    return [np.asarray(a, dtype=np.float64).view(np.uint64) for key in ("W", "b") for a in document[key]]


def same_bits(a: dict, b: dict) -> bool:
    return (a["layer_sizes"] == b["layer_sizes"] and len(a["W"]) == len(b["W"])
            and all(np.array_equal(x, y) for x, y in zip(bits(a), bits(b))))


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


# --- a real server ------------------------------------------------------------------------------

@contextlib.contextmanager
def running_server(app, timeout: float = 10.0) -> Iterator[str]:
    """`app` under uvicorn on 127.0.0.1 (a free port, bound first); yields its base URL, stops on exit."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + timeout
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            server.should_exit = True
            raise RuntimeError("the test server did not start")
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout)
        sock.close()
