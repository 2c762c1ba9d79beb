"""Nothing of a session outlives its socket: registry entries, asyncio tasks, threads, training.

Against a real uvicorn server in a thread (TestClient would hide how uvicorn ends a connection).
"""

from __future__ import annotations

import asyncio
import json
import threading
import time

import pytest

from app.web.app import create_app
from lab_settings import make_settings
from live_server import connect, live_server, of_type, recv_until, wait_until


@pytest.fixture(scope="module")
def server():
    with live_server(create_app(make_settings())) as srv:
        yield srv


def sessions(server) -> list:
    """The app's open sessions, read on the server's loop (the set changes there)."""
    return server.call(lambda: list(server.app.state.sessions.sessions))


def wait_for_no_sessions(server, timeout: float = 5.0) -> None:
    assert wait_until(lambda: not sessions(server), timeout), f"sessions left: {sessions(server)}"


def wait_for_tasks(server, baseline: int, timeout: float = 5.0) -> int:
    wait_until(lambda: server.task_count() <= baseline, timeout)
    return server.task_count()


async def cycle(url: str, *, abort: bool = False) -> None:
    """Connect, configure, play at speed max until frames flow, then close (or drop the TCP connection)."""
    ws = await connect(url)
    try:
        await recv_until(ws, of_type("hello"))
        await ws.send(json.dumps({"type": "configure", "speed": "max",
                                  "dataset": {"name": "moons", "params": {"n": 50}}}))
        await recv_until(ws, of_type("frame"))
        await ws.send(json.dumps({"type": "play"}))
        await recv_until(ws, lambda m: m.get("type") == "frame" and m["step"] > 0, 5)
    finally:
        if abort:
            ws.transport.abort()  # no close handshake: as when a laptop lid shuts
        else:
            await ws.close()


def test_thirty_sessions_come_and_go_without_leaking_sessions_tasks_or_threads(server):
    wait_for_no_sessions(server)
    baseline_tasks = server.task_count()
    for _ in range(10):
        asyncio.run(cycle(server.ws_url))
    wait_for_no_sessions(server)
    tasks_after_10 = wait_for_tasks(server, baseline_tasks)
    threads_after_10 = threading.active_count()
    for i in range(20):
        asyncio.run(cycle(server.ws_url, abort=i % 4 == 3))
    wait_for_no_sessions(server)
    tasks_after_30 = wait_for_tasks(server, baseline_tasks)
    threads_after_30 = threading.active_count()
    assert tasks_after_10 <= baseline_tasks, (baseline_tasks, tasks_after_10)
    assert tasks_after_30 <= baseline_tasks, (baseline_tasks, tasks_after_30)
    assert threads_after_30 <= threads_after_10 + 3, (threads_after_10, threads_after_30)


def test_concurrent_sessions_all_end_when_their_clients_leave(server):
    async def many():
        await asyncio.gather(*(cycle(server.ws_url, abort=i % 2 == 1) for i in range(6)))

    baseline_tasks = server.task_count()
    asyncio.run(many())
    wait_for_no_sessions(server)
    assert wait_for_tasks(server, baseline_tasks) <= baseline_tasks


@pytest.mark.parametrize("abort", [False, True], ids=["close", "dropped connection"])
def test_a_client_that_leaves_while_playing_at_max_speed_stops_the_training(server, abort):
    wait_for_no_sessions(server)
    baseline_tasks = server.task_count()
    captured: list = []
    tasks_while_open: list = []

    async def scenario():
        ws = await connect(server.ws_url)
        try:
            await recv_until(ws, of_type("hello"))
            await ws.send(json.dumps({"type": "configure", "speed": "max"}))
            await recv_until(ws, of_type("frame"))
            await ws.send(json.dumps({"type": "play"}))
            await recv_until(ws, lambda m: m.get("type") == "frame" and m["step"] > 100, 5)
            captured.extend(sessions(server))
            tasks_while_open.append(server.task_count())
            step = captured[0].experiment.step
            await recv_until(ws, lambda m: m.get("type") == "frame" and m["step"] > step + 100, 5)
        finally:
            if abort:
                ws.transport.abort()
            else:
                await ws.close()

    asyncio.run(scenario())
    assert len(captured) == 1
    session = captured[0]
    wait_for_no_sessions(server)
    time.sleep(0.1)  # a chunk already on the worker thread may still finish (20 ms)
    stopped_at = session.experiment.step
    time.sleep(0.5)
    assert session.experiment.step == stopped_at, "training went on after the client left"
    assert stopped_at > 200, "it was training fast while the client was there"
    assert tasks_while_open[0] >= baseline_tasks + 2, "the session's tasks are counted (receiver and driver)"
    assert wait_for_tasks(server, baseline_tasks) <= baseline_tasks


def test_stopping_the_server_ends_a_playing_session_promptly():
    app = create_app(make_settings())
    closed: list = []

    async def client(url, ready: threading.Event):
        ws = await connect(url)
        await recv_until(ws, of_type("hello"))
        await ws.send(json.dumps({"type": "configure", "speed": "max"}))
        await ws.send(json.dumps({"type": "play"}))
        await recv_until(ws, lambda m: m.get("type") == "frame" and m["step"] > 0)
        ready.set()
        try:
            await recv_until(ws, lambda m: False, 8)
        except Exception as e:  # ConnectionClosed when the server goes
            closed.append(e)

    ready = threading.Event()
    started = time.monotonic()
    with live_server(app) as srv:
        thread = threading.Thread(target=asyncio.run, args=(client(srv.ws_url, ready),), daemon=True)
        thread.start()
        assert ready.wait(5)
        stop_from = time.monotonic()
    assert time.monotonic() - stop_from < 4, "uvicorn stopped within its graceful timeout, not by force"
    thread.join(5)
    assert closed and getattr(closed[0], "rcvd", None) is not None, closed
    assert closed[0].rcvd.code in (1001, 1012), closed[0]
    assert not app.state.sessions.sessions
    assert time.monotonic() - started < 15
