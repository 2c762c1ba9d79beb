"""Stream: a live session's training steps per second while it streams 30 frames per second, against the bare
engine (Experiment.advance in a loop, as the session trains) in the same server process.

The server is `python -m benchmarks.server` in a child process (as `backprop-lab serve` runs it), with a
`websockets` client on this process's event loop; the bare rounds (`POST /bench/engine`: the loop below, in the
server's process, so both sides share its memory layout) and the streamed rounds alternate. The session trains at speed "max",
so every step it loses to framing, thread hops and sending shows up as a lower step rate.

Also: bytes per frame (the JSON frame, and the binary decision-boundary grid sent 5 times a second), and the
delay from a step to the client: while paused, send `step` (count 1) and time until its frame arrives.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import time
from typing import Any

from benchmarks.common import Mode, Section, Target, percentile, progress
from benchmarks.servers import subprocess_server, ws_connect

FRAME_RATE = 30
WARMUP_SECONDS = 0.5
STREAMS = {  # what the table calls it: the configure message's experiment
    "two-points, 2-8-2, 2 runs": {"dataset": {"name": "two-points"}},
    "moons (200 points), 2-16-2, 2 runs": {"dataset": {"name": "moons"}, "network": {"hidden_layers": [16]}},
}


async def _receive(ws, kind: str, timeout: float = 30) -> Any:
    async with asyncio.timeout(timeout):
        while True:
            raw = await ws.recv()
            if isinstance(raw, str):
                message = json.loads(raw)
                if message.get("type") == kind:
                    return message
                if message.get("type") == "error":
                    raise RuntimeError(f"the server answered an error: {message}")


async def _configure(ws, config: dict, **rates: Any) -> None:
    await _receive(ws, "hello")
    await ws.send(json.dumps({"type": "configure", **config, **rates}))
    await _receive(ws, "configured")
    await _receive(ws, "frame")


async def _streamed(ws_url: str, config: dict, seconds: float) -> dict[str, Any]:
    frames: list[tuple[float, int, int]] = []  # (arrival, step, bytes)
    grids: list[int] = []
    async with ws_connect(ws_url) as ws:
        await _configure(ws, config, speed="max", frame_rate=FRAME_RATE)
        await ws.send(json.dumps({"type": "play"}))
        measure_from = time.perf_counter() + WARMUP_SECONDS
        stop_at = measure_from + seconds
        async with asyncio.timeout(seconds + 30):
            while True:
                raw = await ws.recv()
                now = time.perf_counter()
                if now >= stop_at:
                    break
                if now < measure_from:
                    continue
                if isinstance(raw, bytes):
                    grids.append(len(raw))
                elif raw.startswith('{"type":"frame"'):
                    frames.append((now, json.loads(raw)["step"], len(raw.encode())))
        await ws.send(json.dumps({"type": "pause"}))
    if len(frames) < 2:
        raise RuntimeError(f"only {len(frames)} frames arrived in {seconds} s")
    span = frames[-1][0] - frames[0][0]
    return {"steps_per_second": (frames[-1][1] - frames[0][1]) / span,
            "frames_per_second": (len(frames) - 1) / span,
            "frame_bytes": statistics.mean(f[2] for f in frames),
            "grid_bytes": statistics.mean(grids) if grids else 0,
            "grids_per_second": len(grids) / span,
            "bytes_per_second": (sum(f[2] for f in frames[1:]) + sum(grids)) / span}


def _bare(config: dict, seconds: float) -> float:
    """Steps per second of the session's own training call, Experiment.advance, with nothing else going on."""
    from app.sessions.config import ExperimentConfig, check_limits
    from app.sessions.experiment import Experiment
    from app.settings import Settings
    from app.web.live import CHUNK_SECONDS

    settings = Settings()
    experiment_config = ExperimentConfig.model_validate(config)
    experiment = Experiment(experiment_config, check_limits(experiment_config, settings))
    chunk = max(1, int(settings.max_speed * CHUNK_SECONDS))  # as the session asks at speed "max"
    warm_until = time.perf_counter() + WARMUP_SECONDS
    while time.perf_counter() < warm_until:
        experiment.advance(chunk, CHUNK_SECONDS)
    start, first = time.perf_counter(), experiment.step
    while time.perf_counter() - start < seconds:
        experiment.advance(chunk, CHUNK_SECONDS)
    return (experiment.step - first) / (time.perf_counter() - start)


async def _delays(ws_url: str, config: dict, samples: int) -> list[float]:
    delays = []
    async with ws_connect(ws_url) as ws:
        await _configure(ws, config, frame_rate=FRAME_RATE)
        for expected in range(1, samples + 1):
            start = time.perf_counter()
            await ws.send('{"type":"step","count":1}')
            async with asyncio.timeout(30):
                while True:
                    raw = await ws.recv()
                    if isinstance(raw, str) and raw.startswith('{"type":"frame"') and json.loads(raw)["step"] == expected:
                        break
            delays.append(time.perf_counter() - start)
            await asyncio.sleep(0.002)
    return delays


def run(mode: Mode) -> Section:
    section = Section(
        f"Stream: a session at speed \"max\" streaming {FRAME_RATE} frames/s, against the bare engine",
        ["experiment", "bare engine steps/s", "streamed steps/s", "throughput cost", "frames/s received",
         "bytes/frame (JSON)", "bytes/grid (binary, ~5/s)", "bytes/s", "step→client delay p50 / p99"])
    section.notes.append(
        f"Medians of {mode.stream_rounds} back-to-back pairs (bare, streamed) of {mode.stream_seconds:g} s each "
        f"(after {WARMUP_SECONDS} s of warm-up); the cost is the median of the pairs' ratios; both in "
        f"`python -m benchmarks.server`, a child process (as `backprop-lab serve`: this process's client, parsing "
        f"every frame, would otherwise share the server's GIL and count as its cost), websockets client, "
        f"deflate off. Delay: {mode.delay_samples} `step` messages (count 1) sent while paused, each timed "
        "until its frame arrives.")
    with subprocess_server() as server:
        for label, config in STREAMS.items():
            bare, streamed = [], []
            for r in range(mode.stream_rounds):  # pairs, alternating which side goes first
                progress(f"stream: {label}: pair {r + 1}/{mode.stream_rounds}")
                if r % 2:
                    streamed.append(asyncio.run(_streamed(server.ws_url, config, mode.stream_seconds)))
                bare.append(server.post_json("/bench/engine", {"config": config, "seconds": mode.stream_seconds},
                                             timeout=mode.stream_seconds + 30)["steps_per_second"])
                if not r % 2:
                    streamed.append(asyncio.run(_streamed(server.ws_url, config, mode.stream_seconds)))
            progress(f"stream: {label}: step→client delay")
            delays = asyncio.run(_delays(server.ws_url, config, mode.delay_samples))
            # Each pair ran back to back, so its ratio is what holds on a noisy machine: take their median.
            cost = 100 * (1 - statistics.median(s["steps_per_second"] / b for s, b in zip(streamed, bare)))
            middle = {k: statistics.median(s[k] for s in streamed) for k in streamed[0]}
            p50, p99 = percentile(delays, 50) * 1e3, percentile(delays, 99) * 1e3
            section.rows.append([label, statistics.median(bare), middle["steps_per_second"], f"{cost:.1f}%",
                                 middle["frames_per_second"], round(middle["frame_bytes"]),
                                 round(middle["grid_bytes"]), round(middle["bytes_per_second"]),
                                 f"{p50:.1f} / {p99:.1f} ms"])
            section.data[label] = {"bare_steps_per_second": bare, "streamed": streamed,
                                   "cost_percent": cost, "delays_ms": [d * 1e3 for d in delays]}
            section.targets.append(Target(f"{label}: training throughput lost to streaming at {FRAME_RATE} fps",
                                          cost, 5.0, "%", False))  # issue 20
    return section
