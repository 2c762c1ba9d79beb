"""Servers on loopback for the benchmarks, and small clients for them. (The stream section's server runs in this
process, its bare-engine side beside it: app/web/inprocess.py, the tests' server too.)

- `subprocess_server()`: `python -m benchmarks.server` in a child process, for the many-sessions and
  predict sections, so the load-generating client does not take the server's GIL.
- `http_load()`: a minimal HTTP/1.1 keep-alive client on asyncio streams: several times faster than httpx,
  so the server, not the client, is what gets measured.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator, Sequence

from app.web.inprocess import LoopbackServer

ROOT = Path(__file__).resolve().parents[1]
UVICORN_OPTIONS = dict(ws_per_message_deflate=False)  # as `backprop-lab serve` runs it (app/cli.py)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --- in a child process -----------------------------------------------------------------------------

@dataclass
class ChildServer(LoopbackServer):
    process: subprocess.Popen

    def get_json(self, path: str, timeout: float = 10) -> Any:
        with urllib.request.urlopen(self.url + path, timeout=timeout) as response:
            return json.loads(response.read())

    def post_json(self, path: str, body: Any, timeout: float = 10) -> Any:
        request = urllib.request.Request(self.url + path, data=json.dumps(body).encode(), method="POST",
                                         headers={"content-type": "application/json"})
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return json.loads(response.read())


@contextlib.contextmanager
def subprocess_server(settings: dict[str, str] | None = None) -> Iterator[ChildServer]:
    """`python -m benchmarks.server` on a free port, with its own throw-away SQLite store; stopped on exit.
    `settings`: extra BACKPROP_LAB_* environment variables, e.g. {"BACKPROP_LAB_MAX_SESSIONS": "300"}."""
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="backprop-bench-") as folder:
        env = {**os.environ, **(settings or {})}
        env["BACKPROP_LAB_DATABASE_URL"] = f"sqlite:///{folder}/bench.db"
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
        # A file, not a pipe nobody reads: a server that logs more than a pipe holds would block on it.
        log = Path(folder) / "server.log"
        with log.open("w") as errors:
            process = subprocess.Popen([sys.executable, "-m", "benchmarks.server", "--port", str(port)],
                                       cwd=folder, env=env, stdout=subprocess.DEVNULL, stderr=errors)
        server = ChildServer(port, process)
        try:
            deadline = time.monotonic() + 30
            while True:
                if process.poll() is not None:
                    raise RuntimeError(f"the benchmark server exited: {log.read_text()[-2000:]}")
                try:
                    server.get_json("/api/health", timeout=1)
                    break
                except OSError:
                    if time.monotonic() > deadline:
                        raise RuntimeError("the benchmark server did not answer within 30 s") from None
                    time.sleep(0.1)
            yield server
        finally:
            stop_child(process)


def stop_child(process: subprocess.Popen) -> None:
    """Stop only the child we started, by its own handle: asked first, killed if it does not go."""
    process.terminate()
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(5)


# --- a lean HTTP client -----------------------------------------------------------------------------

def http_request(method: str, path: str, body: bytes = b"", port: int = 0, forwarded_for: str | None = None) -> bytes:
    """`forwarded_for`: the client address a proxy would name (uvicorn trusts X-Forwarded-For from 127.0.0.1)."""
    forwarded = f"x-forwarded-for: {forwarded_for}\r\n" if forwarded_for else ""
    head = (f"{method} {path} HTTP/1.1\r\nhost: 127.0.0.1:{port}\r\nconnection: keep-alive\r\n{forwarded}"
            f"content-type: application/json\r\ncontent-length: {len(body)}\r\n\r\n")
    return head.encode() + body


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head[9:12])
    length = 0
    for line in head.split(b"\r\n")[1:]:
        if line[:15].lower() == b"content-length:":
            length = int(line[15:])
    return status, await reader.readexactly(length)



async def health_latencies(port: int, keep_going: Callable[[], bool], interval: float,
                           addresses: Sequence[str] = ()) -> list[float]:
    """GET /api/health every `interval` s on one keep-alive connection while keep_going(): each answer's latency.
    `addresses`: X-Forwarded-For values taken in turn, so a per-client rate limit does not pace the probe."""
    requests = ([http_request("GET", "/api/health", port=port, forwarded_for=a) for a in addresses]
                or [http_request("GET", "/api/health", port=port)])
    latencies: list[float] = []
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        while keep_going():
            started = time.perf_counter()
            writer.write(requests[len(latencies) % len(requests)])
            status, _ = await _read_response(reader)
            latencies.append(time.perf_counter() - started)
            if status != 200:
                raise RuntimeError(f"/api/health answered {status}")
            await asyncio.sleep(interval)
    finally:
        writer.close()
    return latencies

async def http_load(port: int, request: bytes, seconds: float, connections: int) -> dict[str, Any]:
    """Send `request` over `connections` keep-alive connections, each waiting for its answer before the next,
    for `seconds`. Requests per second, latency percentiles, and any non-200 answer."""
    from benchmarks.common import percentile

    latencies: list[float] = []
    errors: list[str] = []
    stop_at = time.perf_counter() + seconds

    async def worker() -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            while time.perf_counter() < stop_at:
                start = time.perf_counter()
                writer.write(request)
                status, body = await _read_response(reader)
                latencies.append(time.perf_counter() - start)
                if status != 200 and len(errors) < 5:
                    errors.append(f"{status}: {body[:200]!r}")
        finally:
            writer.close()

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(connections)))
    elapsed = time.perf_counter() - started
    return {"requests": len(latencies), "seconds": elapsed, "rps": len(latencies) / elapsed,
            "p50_ms": percentile(latencies, 50) * 1e3, "p99_ms": percentile(latencies, 99) * 1e3,
            "errors": errors}


def ws_connect(url: str):
    from websockets.asyncio.client import connect

    return connect(url, compression=None, max_size=None, open_timeout=30, close_timeout=2, ping_interval=None)
