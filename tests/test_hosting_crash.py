"""A client killed in the middle of a save leaves the database consistent.

- A process saving models in a loop is SIGKILLed mid-save, again and again (SQLite and PostgreSQL): the database
  passes its integrity check, every listed model loads with exactly the weights it was saved with, every save
  the process had reported is there, and saving works again at once (no lock left behind).
- HTTP clients killed halfway through sending a save, or right after sending it, and a WebSocket client killed
  right after its `save` message: the server keeps serving, and each model is there whole or not at all.
"""

from __future__ import annotations

import json
import random
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, text

from app.store import ModelStore, check_document, normalize_url
from app.web.app import create_app
from lab_settings import make_settings
from live_server import live_server
from models_support import model_doc, same_bits

ROOT = Path(__file__).resolve().parents[1]
TESTS = Path(__file__).resolve().parent
SIZES = (64, 96, 10)  # ~7,000 weights: a document of about 150 KB, so a save takes a while

WRITER = textwrap.dedent("""
    import sys
    sys.path[:0] = [{root!r}, {tests!r}]
    from app.store import ModelStore
    from models_support import model_doc
    store = ModelStore({url!r})
    store.migrate()
    print("ready", flush=True)
    for i in range({start}, {start} + 1000):
        record = store.save(f"seed {{i}}", model_doc({sizes!r}, seed=i))
        print(f"saved {{record.id}} {{i}}", flush=True)
""")


def run_writer_until_killed(url: str, start: int, saves_before_kill: int) -> dict[str, int]:
    """Start a writer; SIGKILL it at a random moment after it reported `saves_before_kill` saves.
    The saves it reported: {model id: seed}."""
    code = WRITER.format(root=str(ROOT), tests=str(TESTS), url=url, start=start, sizes=SIZES)
    process = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True)
    reported: dict[str, int] = {}
    try:
        assert process.stdout.readline().strip() == "ready", process.stderr.read()
        while len(reported) < saves_before_kill:
            line = process.stdout.readline()
            assert line.startswith("saved"), (line, process.stderr.read() if not line else "")
            _, model_id, seed = line.split()
            reported[model_id] = int(seed)
        time.sleep(random.uniform(0, 0.03))  # somewhere inside the next save
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait(10)
    for line in process.stdout.read().splitlines():  # reported between our last read and the kill
        if line.startswith("saved"):
            _, model_id, seed = line.split()
            reported[model_id] = int(seed)
    return reported


def assert_consistent(url: str, expected: dict[str, int] | None = None) -> ModelStore:
    """The database passes its integrity check and every listed model loads whole; a fresh store on it."""
    if url.startswith("sqlite"):
        engine = create_engine(normalize_url(url))
        with engine.connect() as conn:
            assert conn.execute(text("PRAGMA integrity_check")).scalar_one() == "ok"
            assert conn.execute(text("PRAGMA foreign_key_check")).all() == []
        engine.dispose()
    store = ModelStore(url)
    page = store.page(limit=1000)
    assert page.total == len(page.items) == store.count()
    for item in page.items:
        model = store.get(item.id)
        check_document(model.document)
        if expected is not None and model.name.startswith("seed "):
            seed = int(model.name.split()[1])
            assert same_bits(model.document, model_doc(SIZES, seed=seed)), f"model {item.id} is not what was saved"
    if expected is not None:
        missing = set(expected) - {item.id for item in page.items}
        assert not missing, f"saves reported as done are gone: {sorted(missing)}"
    return store


def test_a_process_killed_again_and_again_in_the_middle_of_saves_leaves_the_database_consistent(database_url):
    reported: dict[str, int] = {}
    for round_ in range(4):
        reported |= run_writer_until_killed(database_url, start=round_ * 1000, saves_before_kill=2 + round_)
        store = assert_consistent(database_url, reported)
        store.close()
    store = ModelStore(database_url)
    record = store.save("after the crashes", model_doc())  # no lock was left behind
    assert store.get(record.id).name == "after the crashes"
    store.close()


# --- clients of a real server ----------------------------------------------------------------------------------

CLIENT = textwrap.dedent("""
    import socket, sys, time
    body = sys.stdin.buffer.read()
    sock = socket.create_connection(("127.0.0.1", {port}))
    sock.sendall(b"POST /api/models HTTP/1.1\\r\\nHost: 127.0.0.1\\r\\nContent-Type: application/json\\r\\n"
                 + b"Content-Length: " + str(len(body)).encode() + b"\\r\\n\\r\\n")
    sock.sendall(body[:int(len(body) * {fraction})])
    print("sent", flush=True)
    time.sleep(60)
""")


def kill_client_mid_request(port: int, body: bytes, fraction: float) -> None:
    code = CLIENT.format(port=port, fraction=fraction)
    process = subprocess.Popen([sys.executable, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                               text=False)
    try:
        process.stdin.write(body)
        process.stdin.close()
        assert process.stdout.readline().strip() == b"sent"
        time.sleep(random.uniform(0, 0.02))
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait(10)


@pytest.fixture
def server(tmp_path):
    url = f"sqlite:///{tmp_path / 'models.db'}"
    with live_server(create_app(make_settings(database_url=url))) as srv:
        srv.database_url = url
        yield srv


@pytest.mark.parametrize("fraction", [0.5, 1.0], ids=["halfway through the body", "right after the body"])
def test_an_http_client_killed_during_a_save_leaves_the_model_whole_or_absent(server, fraction):
    document = model_doc(SIZES, seed=7)
    body = json.dumps({"name": "killed client", "model": document}).encode()
    for _ in range(3):
        kill_client_mid_request(server.port, body, fraction)
    time.sleep(0.5)  # a save whose body had fully arrived may still be finishing
    store = assert_consistent(server.database_url)
    names = [item.name for item in store.page(limit=100).items]
    if fraction < 1:
        assert names == [], "half a body is never saved"
    for item in store.page(limit=100).items:
        assert same_bits(store.get(item.id).document, document)
    store.close()
    response = httpx.post(f"{server.url}/api/models", json={"name": "after", "model": model_doc()}, timeout=10)
    assert response.status_code == 201, "the server keeps saving"


def test_a_socket_client_killed_right_after_its_save_message_leaves_the_database_consistent(server):
    code = textwrap.dedent(f"""
        import json
        from websockets.sync.client import connect
        ws = connect("ws://127.0.0.1:{server.port}/ws").__enter__()
        ws.recv(timeout=5)
        ws.send(json.dumps({{"type": "configure", "dataset": {{"name": "digits"}},
                             "network": {{"hidden_layers": [96]}}}}))
        while '"frame"' not in ws.recv(timeout=30)[:20]:
            pass
        for i in range(5):
            ws.send(json.dumps({{"type": "save", "run": "b", "name": f"socket save {{i}}"}}))
        print("sent", flush=True)
        import time; time.sleep(60)
    """)
    for _ in range(2):
        process = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                   text=True, cwd=ROOT)
        try:
            line = process.stdout.readline().strip()
            assert line == "sent", process.stderr.read()
        finally:
            process.send_signal(signal.SIGKILL)
            process.wait(10)
    time.sleep(0.5)
    store = assert_consistent(server.database_url)
    assert all(item.name.startswith("socket save") for item in store.page(limit=100).items)
    store.close()
    assert httpx.get(f"{server.url}/api/health", timeout=5).status_code == 200
