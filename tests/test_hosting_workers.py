"""`backprop-lab serve --workers 2`: two processes on one port, each with its own live sessions (and session cap),
sharing saved models through the database.

The server is the real command in a subprocess, on a free port, with an SQLite file of its own. Each worker holds
at most one session (BACKPROP_LAB_MAX_SESSIONS=1), so two sessions open at once prove that both workers serve
sockets; a model saved through each worker's socket, and one saved over REST, are then read through many fresh
connections, whichever worker answers them.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from models_support import model_doc

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def serve(tmp_path: Path, *args: str, env: dict[str, str] | None = None, timeout: float = 60, workers: int = 1):
    """`backprop-lab serve` in its own process group; yields the base URL once `workers` processes have started;
    stops every process it started."""
    port = free_port()
    environment = {k: v for k, v in os.environ.items() if not k.startswith("BACKPROP_LAB_")}
    environment.update({"BACKPROP_LAB_DATABASE_URL": f"sqlite:///{tmp_path / 'models.db'}", **(env or {})})
    log = open(tmp_path / "serve.log", "w+")
    process = subprocess.Popen([sys.executable, "-m", "app.cli", "serve", "--port", str(port), *args], cwd=ROOT,
                               env=environment, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            assert process.poll() is None, f"serve exited: {(tmp_path / 'serve.log').read_text()[-3000:]}"
            assert time.monotonic() < deadline, f"serve did not start: {(tmp_path / 'serve.log').read_text()[-3000:]}"
            started = (tmp_path / "serve.log").read_text().count("Application startup complete")
            with contextlib.suppress(httpx.HTTPError):
                if started >= workers and httpx.get(f"{base}/api/health", timeout=1).status_code == 200:
                    break
            time.sleep(0.1)
        yield base
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)  # the group this test started: the server and its workers
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(5)
        log.close()


def open_session(ws_url: str):
    """A socket and its first message: `hello`, or the close of a full worker (code, reason)."""
    ws = connect(ws_url, open_timeout=5, close_timeout=2).__enter__()  # closed by the caller (ws.close())
    try:
        return ws, json.loads(ws.recv(timeout=5))
    except ConnectionClosed as e:
        ws.close()
        return None, (e.rcvd.code, e.rcvd.reason)


def save_over_socket(ws, name: str) -> dict:
    ws.send(json.dumps({"type": "configure", "dataset": {"name": "xor"}}))
    ws.send(json.dumps({"type": "step", "count": 10}))
    ws.send(json.dumps({"type": "save", "run": "b", "name": name}))
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        message = ws.recv(timeout=10)
        if isinstance(message, str) and json.loads(message)["type"] in ("saved", "error"):
            reply = json.loads(message)
            assert reply["type"] == "saved", reply
            return reply["model"]
    raise TimeoutError("no `saved`")


def test_two_workers_serve_sessions_and_share_saved_models(tmp_path):
    with serve(tmp_path, "--workers", "2", "--root-path", "/lab", env={"BACKPROP_LAB_MAX_SESSIONS": "1"},
               workers=2) as base:
        ws_url = base.replace("http", "ws") + "/ws"
        sessions, refusals = [], []
        try:
            for _ in range(200):  # each new connection lands on either worker
                ws, first = open_session(ws_url)
                if ws is None:
                    refusals.append(first)
                else:
                    assert first["type"] == "hello"
                    sessions.append(ws)
                if len(sessions) == 2 and refusals:
                    break
            assert len(sessions) == 2, f"two workers, one session each: got {len(sessions)} ({refusals[:3]})"
            assert refusals and all(code == 1013 for code, _ in refusals), refusals
            assert "full" in refusals[0][1]
            # One more, now that both workers are full: refused whichever worker takes it.
            assert all(open_session(ws_url)[0] is None for _ in range(4))

            saved = [save_over_socket(ws, f"from worker session {i}") for i, ws in enumerate(sessions)]
        finally:
            for ws in sessions:
                ws.close()

        posted = httpx.post(f"{base}/api/models", json={"name": "over REST", "model": model_doc()}, timeout=10)
        assert posted.status_code == 201, posted.text
        ids = {m["id"] for m in saved} | {posted.json()["id"]}
        assert len(ids) == 3, "the database gave each save its own id, across processes"
        for _ in range(12):  # fresh connections: either worker answers
            listed = httpx.get(f"{base}/api/models", timeout=10).json()
            assert ids <= {m["id"] for m in listed["items"]}, listed
            for model_id in ids:
                assert httpx.get(f"{base}/api/models/{model_id}", timeout=10).status_code == 200

        page = httpx.get(f"{base}/", timeout=10).text
        assert f"{base}/lab/static/style.css" in page, "--root-path reached every worker's app"
        log = (tmp_path / "serve.log").read_text()
        assert log.count("Started server process") == 2, log[-2000:]


@pytest.mark.parametrize("workers", ["0", "two"])
def test_serve_refuses_a_worker_count_that_is_not_a_positive_number(workers):
    done = subprocess.run([sys.executable, "-m", "app.cli", "serve", "--workers", workers], cwd=ROOT,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "--workers" in done.stderr, done.stderr
