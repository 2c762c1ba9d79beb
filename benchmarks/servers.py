"""Servers on loopback for the benchmarks, and small clients for them.

- `inprocess_server(app)`: uvicorn in a daemon thread of this process (the pattern of tests/live_server.py),
  for the stream section, whose bare-engine side must run in the same process.
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
import threading
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

ROOT = Path(__file__).resolve().parents[1]
UVICORN_OPTIONS = dict(ws_per_message_deflate=False)  # as `backprop-lab serve` runs it (app/cli.py)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --- in this process ----------------------------------------------------------------------------------

@dataclass
class InProcessServer:
    port: int
    loop: asyncio.AbstractEventLoop

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/ws"


@contextlib.contextmanager
def inprocess_server(app: Any) -> Iterator[InProcessServer]:
    import uvicorn

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off",
                            timeout_graceful_shutdown=3, **UVICORN_OPTIONS)
    server = uvicorn.Server(config)
    loops: list[asyncio.AbstractEventLoop] = []

    async def serve() -> None:
        loops.append(asyncio.get_running_loop())
        await server.serve(sockets=[sock])

    def target() -> None:
        with asyncio.Runner(loop_factory=config.get_loop_factory()) as runner:
            runner.run(serve())

    thread = threading.Thread(target=target, name=f"bench-uvicorn-{port}", daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            server.should_exit = True
            raise RuntimeError("the in-process uvicorn server did not start")
        time.sleep(0.01)
    try:
        yield InProcessServer(port, loops[0])
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()


# --- in a child process -----------------------------------------------------------------------------

@dataclass
class ChildServer:
    port: int
    process: subprocess.Popen

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/ws"

    def get_json(self, path: str, timeout: float = 10) -> Any:
        with urllib.request.urlopen(self.url + path, timeout=timeout) as response:
            return json.loads(response.read())

    def post_json(self, path: str, body: Any, timeout: float = 10) -> Any:
        request = urllib.request.Request(self.url + path, data=json.dumps(body).encode(), method="POST",
                                         headers={"content-type": "application/json"})
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return json.loads(response.read())


@contextlib.contextmanager
def subprocess_server() -> Iterator[ChildServer]:
    """`python -m benchmarks.server` on a free port, with its own throw-away SQLite store; stopped on exit."""
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="backprop-bench-") as folder:
        env = dict(os.environ)
        env["BACKPROP_LAB_DATABASE_URL"] = f"sqlite:///{folder}/bench.db"
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
        process = subprocess.Popen([sys.executable, "-m", "benchmarks.server", "--port", str(port)],
                                   cwd=folder, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        server = ChildServer(port, process)
        try:
            deadline = time.monotonic() + 30
            while True:
                if process.poll() is not None:
                    raise RuntimeError(f"the benchmark server exited: {process.stderr.read().decode()[-2000:]}")
                try:
                    server.get_json("/api/health", timeout=1)
                    break
                except OSError:
                    if time.monotonic() > deadline:
                        raise RuntimeError("the benchmark server did not answer within 30 s") from None
                    time.sleep(0.1)
            yield server
        finally:
            process.terminate()  # only the child we started, by its own handle
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(5)


# --- a lean HTTP client -----------------------------------------------------------------------------

def http_request(method: str, path: str, body: bytes = b"", port: int = 0) -> bytes:
    head = (f"{method} {path} HTTP/1.1\r\nhost: 127.0.0.1:{port}\r\nconnection: keep-alive\r\n"
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
