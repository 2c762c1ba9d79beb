"""Memory of live sessions on a hosted server: each session's is bounded (MAX_LIVE_ACTIVATIONS), and it is given
back when the sessions close (RSS within 25% of where it started; glibc keeps freed arenas otherwise).

The server is `backprop-lab serve` in its own process; its RSS is read from /proc/PID/status.
"""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path

import pytest

from app.sessions.config import ConfigError, ExperimentConfig, check_limits
from app.settings import Settings
from live_server import connect, of_type, recv_until
from test_hosting_workers import serve

SESSIONS = 12
# The largest live experiment hosted limits allow on digits: 5 runs, 64-79-10 (5,935 parameters, 809k activations).
HEAVY = {"type": "configure", "speed": "max", "network": {"hidden_layers": [79]}, "dataset": {"name": "digits"},
         "runs": [{"id": f"r{i}", "kind": kind} for i, kind in enumerate(
             ["softmax_ce", "sigmoid_mse", "softmax_mse", "sigmoid_bce", "softmax_ce_examples_mixed"])]}


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS line")


def _pid_from_log(log: Path) -> int:
    for line in log.read_text().splitlines():
        if "Started server process [" in line:
            return int(line.split("[")[1].split("]")[0])
    raise AssertionError(f"no server pid in the log: {log.read_text()[-2000:]}")


def test_the_activation_limit_refuses_a_session_whose_workspaces_would_be_too_large():
    settings = Settings(mode="hosted")
    wide = ExperimentConfig.model_validate({"dataset": {"name": "moons", "params": {"n": 2000}},
                                            "network": {"hidden_layers": [256, 8, 256]},
                                            "runs": [{"id": f"r{i}", "kind": "softmax_ce"} for i in range(5)]})
    with pytest.raises(ConfigError) as refused:
        check_limits(wide, settings)
    assert refused.value.field == "network.hidden_layers"
    heavy = ExperimentConfig.model_validate({k: v for k, v in HEAVY.items() if k != "type" and k != "speed"})
    assert len(check_limits(heavy, settings).inputs) == 1797  # the largest digits experiment still runs


async def light_session(ws_url: str) -> None:
    async with connect(ws_url) as ws:
        await recv_until(ws, of_type("hello"))
        await ws.send(json.dumps({"type": "configure", "network": {"hidden_layers": [4]},
                                  "dataset": {"name": "digits", "params": {"n": 50}}}))
        await recv_until(ws, of_type("frame"), 30)


async def heavy_sessions(ws_url: str, pid: int) -> float:
    """SESSIONS heavy sessions from as many addresses, trained for a while; the RSS while they ran."""
    async def one(index: int, ready: asyncio.Event, stop: asyncio.Event) -> None:
        async with connect(ws_url, additional_headers={"X-Forwarded-For": f"198.51.100.{index + 1}"}) as ws:
            await recv_until(ws, of_type("hello"))
            await ws.send(json.dumps(HEAVY))
            await recv_until(ws, of_type("frame"), 30)
            await ws.send(json.dumps({"type": "play"}))
            await recv_until(ws, of_type("frame"), 30)
            ready.set()
            await stop.wait()

    events = [asyncio.Event() for _ in range(SESSIONS)]
    stop = asyncio.Event()
    tasks = [asyncio.create_task(one(i, events[i], stop)) for i in range(SESSIONS)]
    async with asyncio.timeout(60):
        await asyncio.gather(*(e.wait() for e in events))
    during = rss_mb(pid)
    stop.set()
    await asyncio.gather(*tasks)
    return during


def test_memory_of_heavy_sessions_is_returned_after_they_close(tmp_path):
    with serve(tmp_path, env={"BACKPROP_LAB_MODE": "hosted"}) as base:
        pid = _pid_from_log(tmp_path / "serve.log")
        ws_url = base.replace("http", "ws") + "/ws"
        asyncio.run(light_session(ws_url))  # imports and the digits set loaded: what a quiet server holds
        before = rss_mb(pid)
        during = asyncio.run(heavy_sessions(ws_url, pid))
        deadline = time.monotonic() + 10
        while (after := rss_mb(pid)) > before * 1.25 and time.monotonic() < deadline:
            time.sleep(0.5)
    report = f"RSS before {before:.0f} MB, with {SESSIONS} heavy sessions {during:.0f} MB, after {after:.0f} MB"
    print(report)
    assert during - before < SESSIONS * 60, f"each session stays within ~60 MB: {report}"
    assert after <= before * 1.25, report
