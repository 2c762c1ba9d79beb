"""Fair share: with many sessions training as fast as they may, every one of them still gets frames, and the REST
API stays responsive (training runs on a bounded pool of threads, `training_threads`, in 20 ms chunks).

The server is `backprop-lab serve` in its own process; 40 sessions play at speed "max" while the
test times GET /api/health. The bound here is generous (p99 under 500 ms on a shared 2-core machine);
benchmarks/ measures the strict target.
"""

from __future__ import annotations

import asyncio
import json
import time

import httpx
import pytest

from live_server import connect, of_type, recv_until
from test_hosting_workers import serve

SESSIONS = 40
MEASURE_SECONDS = 5.0


async def play(url: str, frames: list[int], index: int, started: asyncio.Event, stop: asyncio.Event) -> None:
    # Forty visitors, each from an address of its own (a hosted server allows a few sessions per visitor):
    # uvicorn trusts X-Forwarded-For from 127.0.0.1, as it would from a proxy in front.
    async with connect(url, additional_headers={"X-Forwarded-For": f"203.0.113.{index + 1}"}) as ws:
        await recv_until(ws, of_type("hello"))
        await ws.send(json.dumps({"type": "configure", "speed": "max", "network": {"hidden_layers": [16, 16]},
                                  "dataset": {"name": "moons", "params": {"n": 200}}}))
        await recv_until(ws, of_type("frame"), 20)
        await ws.send(json.dumps({"type": "play"}))
        await started.wait()
        while not stop.is_set():
            try:
                message = await asyncio.wait_for(ws.recv(), 0.25)
            except TimeoutError:
                continue
            if isinstance(message, str) and message.startswith('{"type":"frame"'):
                frames[index] += 1


async def scenario(base: str) -> tuple[list[float], list[int]]:
    frames = [0] * SESSIONS
    started, stop = asyncio.Event(), asyncio.Event()
    ws_url = base.replace("http", "ws") + "/ws"
    sessions = [asyncio.create_task(play(ws_url, frames, i, started, stop)) for i in range(SESSIONS)]
    await asyncio.sleep(3)  # every session configured and playing
    started.set()
    await asyncio.sleep(0.5)
    latencies = []
    async with httpx.AsyncClient(timeout=10) as client:
        deadline = time.monotonic() + MEASURE_SECONDS
        while time.monotonic() < deadline:
            t0 = time.perf_counter()
            response = await client.get(f"{base}/api/health")
            latencies.append(time.perf_counter() - t0)
            assert response.status_code == 200
            await asyncio.sleep(0.02)
    stop.set()
    await asyncio.gather(*sessions)
    return latencies, frames


@pytest.mark.parametrize("mode", ["local", "hosted"])
def test_forty_sessions_at_full_speed_all_get_frames_and_the_api_stays_responsive(tmp_path, mode):
    """Local: "max" is 100,000 steps/s, every chunk takes its full 20 ms. Hosted: 5,000 steps/s per session."""
    with serve(tmp_path, env={"BACKPROP_LAB_MODE": mode}) as base:
        latencies, frames = asyncio.run(scenario(base))
    latencies.sort()
    p50, p99 = latencies[len(latencies) // 2], latencies[int(len(latencies) * 0.99)]
    report = (f"{len(latencies)} health requests: p50 {p50 * 1000:.0f} ms, p99 {p99 * 1000:.0f} ms, "
              f"max {latencies[-1] * 1000:.0f} ms; frames per session: min {min(frames)}, max {max(frames)}")
    print(report)
    assert p99 < 0.5, report
    assert min(frames) >= 2, f"every session keeps getting frames: {report}"
