"""1000 connect/disconnect cycles against a real uvicorn server leave no growth in tasks, threads or memory.

The cycles mix what real clients do: connect and leave at once, configure and leave, play until frames flow and
close, and drop the TCP connection without a close handshake (a laptop lid shutting). A warm-up round first
fills the pools and caches that are meant to stay (the training threads, numpy's and pydantic's caches), then
the server's asyncio tasks, the process's threads, its resident memory and the number of Python objects are
compared before and after the 1000 cycles.
"""

from __future__ import annotations

import asyncio
import gc
import json
import os
import threading
import time

from app.web.app import create_app
from app.web.live import training_pool
from lab_settings import make_settings
from live_server import connect, live_server, of_type, recv_until, wait_until

CYCLES = 1000
WARM_UP = 100
PAGE = os.sysconf("SC_PAGE_SIZE")


def rss_bytes() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * PAGE


async def one_cycle(url: str, i: int) -> None:
    ws = await connect(url)
    kind = i % 4
    try:
        await recv_until(ws, of_type("hello"))
        if kind >= 1:
            await ws.send(json.dumps({"type": "configure", "dataset": {"name": "xor"}, "speed": "max"}))
            await recv_until(ws, of_type("frame"))
        if kind >= 2:
            await ws.send(json.dumps({"type": "play"}))
            await recv_until(ws, lambda m: m.get("type") == "frame" and m["step"] > 0)
    finally:
        if kind == 3:
            ws.transport.abort()  # no close handshake
        else:
            await ws.close()


async def cycles(url: str, count: int, start: int = 0) -> None:
    for i in range(start, start + count):
        await one_cycle(url, i)


def test_a_thousand_connect_disconnect_cycles_leave_no_growth_in_tasks_threads_or_memory():
    app = create_app(make_settings(database_url="sqlite://"))
    with live_server(app) as server:
        def no_sessions() -> bool:
            return not server.call(lambda: list(app.state.sessions.sessions))

        pool = training_pool(app.state.settings.training_threads)

        def measure() -> tuple[int, int, int, int]:
            assert wait_until(no_sessions, 10), "sessions left after their clients went"
            time.sleep(0.3)  # a chunk of training already on its thread finishes (20 ms), sockets close
            gc.collect()
            # The training pool's threads are meant to stay (up to its size): count the others.
            assert len(pool.threads) <= pool.size
            return (server.task_count(), threading.active_count() - len(pool.threads), rss_bytes(),
                    len(gc.get_objects()))

        asyncio.run(cycles(server.ws_url, WARM_UP))
        tasks0, threads0, rss0, objects0 = measure()
        started = time.monotonic()
        asyncio.run(cycles(server.ws_url, CYCLES, start=WARM_UP))
        elapsed = time.monotonic() - started
        tasks1, threads1, rss1, objects1 = measure()

    report = (f"{CYCLES} cycles in {elapsed:.1f} s; tasks {tasks0} -> {tasks1}, threads besides the training pool "
              f"{threads0} -> {threads1}, "
              f"RSS {rss0 / 2**20:.1f} -> {rss1 / 2**20:.1f} MiB, Python objects {objects0} -> {objects1}")
    print(report)
    assert tasks1 <= tasks0, report
    assert threads1 <= threads0, report
    # A leak of even a few KB per cycle would show here as several MB; the allocator's own drift stays below.
    assert rss1 - rss0 < 16 * 2**20, report
    assert objects1 - objects0 < 2_000, report  # 2 per cycle would already be 2,000
