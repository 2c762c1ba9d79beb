"""A hostile visitor (issue 16): `backprop-lab serve` in hosted mode, one client takes all it may, and a bystander
and /api/health are measured meanwhile.

The client counts as several addresses, as a proxy in front would give them (X-Forwarded-For from 127.0.0.1,
which uvicorn trusts by default): at each, as many sessions as the server lets one client hold, each the largest
live experiment hosted limits allow, at full speed, asking for socket gradient checks, while the same addresses
send the largest legal POST /api/gradcheck in a loop. RSS is the server's and its child processes' (the compute
processes and their fork server, docs/deploy.md), summed from /proc/PID/status.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Iterator

import numpy as np

from benchmarks.common import Mode, Section, Target, percentile, progress
from benchmarks.servers import ROOT, _read_response, free_port, health_latencies, http_request, stop_child

ADDRESSES = 2  # the hostile client's addresses
HEAVY = {"type": "configure", "speed": "max", "network": {"hidden_layers": [79]}, "dataset": {"name": "digits"},
         "runs": [{"id": f"r{i}", "kind": kind} for i, kind in enumerate(
             ["softmax_ce", "sigmoid_mse", "softmax_mse", "sigmoid_bce", "softmax_ce_examples_mixed"])]}
BYSTANDER = {"type": "configure", "speed": "max", "frame_rate": 30, "dataset": {"name": "moons"},
             "network": {"hidden_layers": [8]}}
GRADCHECK_EVERY = 2.0  # seconds between a heavy session's socket gradchecks
HEALTH_INTERVAL = 0.05
BYSTANDERS = [f"192.0.2.{k}" for k in range(1, 201)]  # /api/health's addresses: the rate limit does not pace it
SECONDS = {"full": 10.0, "quick": 5.0, "smoke": 1.0}


def descendants(pid: int) -> list[int]:
    """Every process below `pid`: from /proc/PID/task/*/children, or, on a kernel without those files, from the
    parent named in every process's /proc/PID/stat."""
    tasks = list(Path(f"/proc/{pid}/task").glob("*/children"))
    if tasks:
        children = [int(c) for task in tasks for c in _read(task).split()]
    else:
        children = [int(stat.parent.name) for stat in Path("/proc").glob("[0-9]*/stat")
                    if _read(stat).rpartition(")")[2].split()[1:2] == [str(pid)]]
    return [p for child in children for p in (child, *descendants(child))]


def _read(path: Path) -> str:
    try:
        return path.read_text()
    except OSError:  # the process has exited meanwhile
        return ""


def rss_mb(pid: int) -> float:
    """VmRSS of `pid` and of every process below it, summed (pages they share count once per process)."""
    total = 0
    for member in (pid, *descendants(pid)):
        for line in _read(Path(f"/proc/{member}/status")).splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1])
    return total / 1024


@contextlib.contextmanager
def hosted_server() -> Iterator[tuple[int, subprocess.Popen]]:
    """`backprop-lab serve` in hosted mode on a free port, with a throw-away store; its port and process."""
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="backprop-hostile-") as folder:
        env = {k: v for k, v in os.environ.items() if not k.startswith("BACKPROP_LAB_")}
        env.update(BACKPROP_LAB_MODE="hosted", BACKPROP_LAB_DATABASE_URL=f"sqlite:///{folder}/bench.db",
                   PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")])))
        process = subprocess.Popen([sys.executable, "-m", "app.cli", "serve", "--port", str(port)], cwd=ROOT,
                                   env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            deadline = time.monotonic() + 30
            while asyncio.run(_status(port, "/api/health")) != 200:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("the hosted server did not start")
                time.sleep(0.2)
            yield port, process  # `serve` execs itself once, keeping its pid
        finally:
            stop_child(process)


async def _status(port: int, path: str) -> int:
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
    except OSError:
        return 0
    writer.write(http_request("GET", path, port=port))
    status, _ = await _read_response(reader)
    writer.close()
    return status


def ws_connect(url: str, address: str):
    """A socket from `address`, as a proxy would name it."""
    from websockets.asyncio.client import connect

    return connect(url, compression=None, max_size=None, open_timeout=30, close_timeout=2, ping_interval=None,
                   additional_headers={"X-Forwarded-For": address})


async def sessions_one_client_holds(url: str, tries: int = 12) -> int:
    """Open sockets from one address until the server closes one (1013); how many it kept."""
    held = []
    try:
        for _ in range(tries):
            ws = await ws_connect(url, "198.51.100.200").__aenter__()
            held.append(ws)
            try:
                first = json.loads(await asyncio.wait_for(ws.recv(), 10))
            except Exception:  # closed: the cap
                held.pop()
                break
            if first.get("type") != "hello":
                held.pop()
                break
    finally:
        for ws in held:
            await ws.close()
    return len(held)


def largest_gradcheck_body(work: float, parameters_limit: int) -> bytes:
    """A POST /api/gradcheck body at the hosted bounds: 1,806 parameters over as many examples as the work allows."""
    sizes = [2, 256, 4, 2]
    parameters = sum(o * i + o for i, o in zip(sizes, sizes[1:]))
    assert parameters <= parameters_limit
    n = int(work // (2 * parameters**2))
    rng = np.random.default_rng(0)
    model = {"layer_sizes": sizes, "hidden_activation": "sigmoid", "output_activation": "softmax",
             "loss": "cross_entropy",
             "W": [(rng.standard_normal((o, i)) * 0.1).tolist() for i, o in zip(sizes, sizes[1:])],
             "b": [(rng.standard_normal(o) * 0.1).tolist() for o in sizes[1:]]}
    return json.dumps({"model": model, "inputs": rng.standard_normal((n, 2)).tolist(),
                       "labels": np.eye(2)[rng.integers(0, 2, n)].tolist()}).encode()


async def under_load(port: int, pid: int, per_client: int, seconds: float) -> dict:
    from app.settings import Settings

    settings = Settings(mode="hosted")
    url = f"ws://127.0.0.1:{port}/ws"
    stop, measuring = asyncio.Event(), asyncio.Event()
    ready: list[asyncio.Event] = []
    counts = {"gradcheck_events": 0, "gradcheck_refused": 0, "rest_gradchecks": 0, "rest_statuses": {}}

    async def heavy(address: str, event: asyncio.Event) -> None:
        async with ws_connect(url, address) as ws:
            await ws.recv()
            await ws.send(json.dumps(HEAVY))
            await ws.send(json.dumps({"type": "play"}))
            event.set()
            next_check = time.monotonic()
            while not stop.is_set():
                if time.monotonic() >= next_check:
                    await ws.send(json.dumps({"type": "gradcheck"}))
                    next_check += GRADCHECK_EVERY
                with contextlib.suppress(TimeoutError):
                    message = await asyncio.wait_for(ws.recv(), 0.25)
                    if isinstance(message, str) and message.startswith('{"type":"event","event":"gradcheck"'):
                        counts["gradcheck_events"] += 1
                    elif isinstance(message, str) and message.startswith('{"type":"error"'):
                        counts["gradcheck_refused"] += 1  # over MAX_GRADCHECK_WORK: refused before any work

    async def rest(address: str) -> None:
        body = largest_gradcheck_body(settings.max_gradcheck_work, settings.max_gradcheck_parameters)
        head = (f"POST /api/gradcheck HTTP/1.1\r\nhost: 127.0.0.1:{port}\r\ncontent-type: application/json\r\n"
                f"x-forwarded-for: {address}\r\ncontent-length: {len(body)}\r\n\r\n").encode()
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        while not stop.is_set():
            writer.write(head + body)
            status, answer = await _read_response(reader)
            counts["rest_gradchecks"] += 1
            counts["rest_statuses"][status] = counts["rest_statuses"].get(status, 0) + 1
            if status == 429:
                await asyncio.sleep(1)
        writer.close()

    tasks = []
    for a in range(ADDRESSES):
        address = f"198.51.100.{a + 1}"
        for _ in range(per_client):
            ready.append(asyncio.Event())
            tasks.append(asyncio.create_task(heavy(address, ready[-1])))
        tasks.append(asyncio.create_task(rest(address)))
    async with asyncio.timeout(60):
        await asyncio.gather(*(event.wait() for event in ready))
    await asyncio.sleep(1.0)
    frames, rss = 0, []
    async with ws_connect(url, "203.0.113.77") as ws:
        await ws.recv()
        await ws.send(json.dumps(BYSTANDER))
        await ws.send(json.dumps({"type": "play"}))
        await asyncio.sleep(0.5)
        measuring.set()
        poller = asyncio.create_task(health_latencies(port, measuring.is_set, HEALTH_INTERVAL, BYSTANDERS))
        started = time.monotonic()
        next_rss = started
        while (left := started + seconds - time.monotonic()) > 0:
            if time.monotonic() >= next_rss:
                rss.append(rss_mb(pid))
                next_rss += 0.5
            with contextlib.suppress(TimeoutError):
                message = await asyncio.wait_for(ws.recv(), min(left, 0.5))
                if isinstance(message, str) and message.startswith('{"type":"frame"'):
                    frames += 1
        measuring.clear()
        latencies = await poller
    stop.set()
    await asyncio.gather(*tasks)
    return {"bystander_fps": frames / seconds, "health_ms": [x * 1e3 for x in latencies], "rss_during_mb": max(rss),
            "sessions": len(ready), **counts}


def run(mode: Mode) -> Section:
    from app.settings import Settings

    settings = Settings(mode="hosted")
    seconds = SECONDS[mode.name]
    section = Section(
        f"Hostile visitor: one client at {ADDRESSES} addresses takes all it may of a hosted server",
        ["sessions one client holds", "heavy sessions", "bystander frames/s", "/api/health p50 / p99",
         "RSS before / during / after", "socket gradchecks: answered / refused", "REST gradchecks (status: count)"])
    section.notes.append(
        f"Server: `backprop-lab serve` with BACKPROP_LAB_MODE=hosted in a child process. Load: at each of "
        f"{ADDRESSES} addresses (X-Forwarded-For from 127.0.0.1), as many sessions as one client may hold, each "
        f"digits 64-79-10 with 5 runs (the largest hosted live experiment) at speed \"max\", a socket gradcheck "
        f"every {GRADCHECK_EVERY:g} s, and the largest legal POST /api/gradcheck in a loop per address. Measured "
        f"over {seconds:g} s: a bystander's frames (moons, 2-8-2, speed \"max\", 30 frames/s asked), GET "
        f"/api/health every {HEALTH_INTERVAL * 1e3:.0f} ms. RSS: the server process and its children (REST work runs in "
        f"{settings.compute_processes} compute process(es), forked by a fork server), VmRSS summed; after: 10 s "
        f"after every session closed at most.")
    progress(f"hostile: {ADDRESSES} addresses, {seconds:g} s")
    with hosted_server() as (port, process):
        url = f"ws://127.0.0.1:{port}/ws"
        held = asyncio.run(sessions_one_client_holds(url))
        asyncio.run(_warm(url))
        before = rss_mb(process.pid)
        result = asyncio.run(under_load(port, process.pid, held, seconds))
        deadline = time.monotonic() + 10
        while (after := rss_mb(process.pid)) > before * 1.25 and time.monotonic() < deadline:
            time.sleep(0.5)
    health = result["health_ms"]
    rest = ", ".join(f"{k}: {v}" for k, v in sorted(result["rest_statuses"].items())) or "none"
    section.rows.append([held, result["sessions"], result["bystander_fps"],
                         f"{percentile(health, 50):.1f} / {percentile(health, 99):.1f} ms",
                         f"{before:.0f} / {result['rss_during_mb']:.0f} / {after:.0f} MB",
                         f"{result['gradcheck_events']} / {result['gradcheck_refused']}", rest])
    section.data = {**result, "held": held, "rss_before_mb": before, "rss_after_mb": after}
    section.targets += [
        Target("sessions one client holds", held, settings.max_sessions_per_client, "", False,
               f"MAX_SESSIONS_PER_CLIENT is {settings.max_sessions_per_client}"),
        Target("bystander frames per second under the load", result["bystander_fps"], 20.0, " frames/s", True),
        Target("/api/health p99 under the load", percentile(health, 99), 100.0, " ms", False,
               f"{len(health)} requests"),
        Target("RSS after the load, over RSS before", 100 * (after / before - 1), 25.0, "%", False),
    ]
    return section


async def _warm(url: str) -> None:
    """Imports and the digits set loaded, as on a server that has served anyone: what RSS 'before' means."""
    async with ws_connect(url, "203.0.113.78") as ws:
        await ws.recv()
        await ws.send(json.dumps({"type": "configure", "network": {"hidden_layers": [4]},
                                  "dataset": {"name": "digits", "params": {"n": 50}}}))
        while not (await ws.recv()).startswith('{"type":"frame"'):
            pass
