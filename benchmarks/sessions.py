"""Many sessions: 50 live sessions at once on one server, each configured with the defaults and playing.

The server runs in a child process (`python -m benchmarks.server`: the app as `backprop-lab serve` runs it,
plus an event-loop lag probe), so this process's 50 websockets clients do not take the server's GIL. Over
the measuring window we count each session's frames, ask GET /api/health about 20 times a second on a
keep-alive connection, and read the probe: how late a 10 ms sleep on the server's event loop wakes up.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import time

from benchmarks.common import Mode, Section, Target, percentile, progress
from benchmarks.frame_cost import frame_cpu, summary
from benchmarks.servers import health_latencies, subprocess_server, ws_connect
from benchmarks.stream import FRAME_RATE, _configure

WARMUP_SECONDS = 2.0
HEALTH_INTERVAL = 0.05


async def _measure(server, sessions: int, seconds: float, warmup: float = WARMUP_SECONDS) -> dict:
    frames = [0] * sessions
    steps: list[list[tuple[float, int]]] = [[] for _ in range(sessions)]  # (when received, frame's step)
    window = {"open": False}
    playing = 0
    all_playing = asyncio.Event()
    done = asyncio.Event()

    failures: list[BaseException] = []

    async def session(i: int) -> None:
        try:
            await play(i)
        except Exception as error:  # a refused or dropped session ends the run at once, saying why
            failures.append(error)
            all_playing.set()
            done.set()

    async def play(i: int) -> None:
        nonlocal playing
        async with ws_connect(server.ws_url) as ws:
            await _configure(ws, {}, frame_rate=FRAME_RATE)  # the default experiment, at the default speed
            await ws.send(json.dumps({"type": "play"}))
            playing += 1
            if playing == sessions:
                all_playing.set()
            while not done.is_set():
                try:
                    raw = await asyncio.wait_for(ws.recv(), 0.5)
                except TimeoutError:
                    continue
                if window["open"] and isinstance(raw, str) and raw.startswith('{"type":"frame"'):
                    frames[i] += 1
                    if frames[i] == 1 or not frames[i] % 10:
                        steps[i].append((time.perf_counter(), json.loads(raw)["step"]))

    tasks = []
    for i in range(sessions):
        tasks.append(asyncio.create_task(session(i)))
        await asyncio.sleep(0.01)  # a class arriving, not one burst
    async with asyncio.timeout(60):
        await all_playing.wait()
    if failures:
        await asyncio.gather(*tasks)
        raise RuntimeError(f"{len(failures)} of {sessions} sessions failed; the first: {failures[0]!r}")
    await asyncio.sleep(warmup)
    await asyncio.to_thread(server.get_json, "/bench/lag?reset=true")
    window["open"] = True
    started = time.perf_counter()
    poller = asyncio.create_task(health_latencies(server.port, lambda: window["open"], HEALTH_INTERVAL))
    await asyncio.sleep(seconds)
    window["open"] = False
    elapsed = time.perf_counter() - started
    latencies = await poller
    lag = await asyncio.to_thread(server.get_json, "/bench/lag?reset=true")
    done.set()
    await asyncio.gather(*tasks)
    per_session = [n / elapsed for n in frames]
    return {"frames_per_second": per_session, "seconds": elapsed, "health_ms": [x * 1e3 for x in latencies],
            "lag": lag, "steps_per_second": [(s[-1][1] - s[0][1]) / (s[-1][0] - s[0][0]) for s in steps if len(s) > 1]}


def run(mode: Mode) -> Section:
    n = mode.sessions
    section = Section(
        f"Many sessions: {n} concurrent live sessions on loopback (default experiment, default speed, "
        f"{FRAME_RATE} frames/s asked)",
        ["server", "sessions", "frames/s per session: min / median", "frames/s, all sessions", "steps/s per session (median)",
         "/api/health p50 / p99", "event-loop lag p50 / p99 / max"])
    section.notes.append(
        f"Server: `python -m benchmarks.server` in a child process (create_app and uvicorn options as "
        f"`backprop-lab serve`, plus a 10 ms sleep probe on its event loop); clients: {n} websockets connections "
        f"in this process; measured over {mode.sessions_seconds:g} s after {mode.warmup:g} s of warm-up; "
        f"GET /api/health every {HEALTH_INTERVAL * 1000:.0f} ms on a keep-alive connection.")
    progress(f"sessions: {n} sessions for {mode.sessions_seconds:g} s")
    # The server admits every session asked for (its default cap is 100): past that it measures overload.
    with subprocess_server({"BACKPROP_LAB_MAX_SESSIONS": str(max(n, 100))}) as server:
        server.get_json("/bench/lag")  # starts the probe
        result = asyncio.run(_measure(server, n, mode.sessions_seconds, mode.warmup))
    fps = result["frames_per_second"]
    health, lag = result["health_ms"], result["lag"]
    section.rows.append([
        "as shipped", n, f"{min(fps):.1f} / {statistics.median(fps):.1f}", sum(fps),
        statistics.median(result["steps_per_second"]) if result["steps_per_second"] else None,
        f"{percentile(health, 50):.1f} / {percentile(health, 99):.1f} ms",
        f"{lag['p50_ms']:.1f} / {lag['p99_ms']:.1f} / {lag['max_ms']:.1f} ms" if lag.get("samples") else "—"])
    section.data["as shipped"] = result
    section.targets.extend(_targets(n, fps, result["steps_per_second"], health))
    progress("sessions: CPU per frame")
    cpu = frame_cpu(rounds=max(3, mode.stream_rounds))
    frame_us, grids_us = summary(cpu)
    section.data["cpu_per_frame"] = cpu
    section.notes.append(
        f"CPU per frame (the worker thread's own time, `time.thread_time()`, in this process, after the window): "
        f"{frame_us:.0f} µs per frame of the default experiment (JSON included), {grids_us:.0f} µs per pair of "
        f"boundary grids; median of {len(cpu['frame_us'])} rounds of 300 frames.")
    section.targets.append(Target("CPU per frame of the default experiment", frame_us, 200.0, " µs", False))
    section.targets.append(Target("CPU per boundary grid pair of the default experiment", grids_us, 200.0, " µs",
                                  False))
    return section


def _targets(n: int, fps: list[float], steps: list[float], health: list[float]) -> list[Target]:
    """Issue 20's targets for this many sessions: 100 sessions each at ≥ 25 frames/s and ≥ 30 steps/s with
    /api/health p99 ≤ 50 ms; past that (overload) a fair share: the slowest session at least half the median."""
    if n > 100:
        return [Target(f"{n} sessions (overload): slowest / median session's frames per second",
                       min(fps) / statistics.median(fps), 0.5, "", True),
                Target(f"{n} sessions: /api/health p99", percentile(health, 99), 100.0, " ms", False)]
    targets = [Target(f"{n} sessions: frames per second of the slowest session", min(fps),
                      25.0 if n == 100 else 10.0, " frames/s", True),
               Target(f"{n} sessions: /api/health p99", percentile(health, 99), 50.0 if n == 100 else 100.0, " ms",
                      False, f"{len(health)} requests")]
    if n == 100:
        targets.append(Target("100 sessions: training steps per second of the median session",
                              statistics.median(steps) if steps else None, 30.0, " steps/s", True))
    return targets
