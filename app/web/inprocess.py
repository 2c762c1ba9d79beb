"""An app served by uvicorn in a daemon thread of this process, for tests and benchmarks.

`serve_in_thread(app)` binds a free port on 127.0.0.1 before the server starts (so no other process can take
it), waits for `server.started`, and stops the server with `should_exit` on exit. It yields an
`InProcessServer` with `.url`, `.ws_url` and `.loop`, the server's event loop, where `call()` runs a function.
Options are those of `backprop-lab serve` that matter here (permessage-deflate off); `**config` overrides them.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import threading
import time
from dataclasses import dataclass
from typing import Any, Callable, Iterator

import uvicorn

CALL_TIMEOUT = 5.0


@dataclass
class LoopbackServer:
    """A server on 127.0.0.1 (in this process or a child): its addresses."""
    port: int

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/ws"


@dataclass
class InProcessServer(LoopbackServer):
    app: Any
    server: uvicorn.Server
    loop: asyncio.AbstractEventLoop

    def call(self, fn: Callable[[], Any], timeout: float = CALL_TIMEOUT) -> Any:
        """`fn()` run on the server's event loop (where asyncio.all_tasks() sees the server's tasks)."""
        async def on_loop() -> Any:
            return fn()
        return asyncio.run_coroutine_threadsafe(on_loop(), self.loop).result(timeout)

    def task_count(self) -> int:
        """Unfinished asyncio tasks on the server's loop, not counting the one that asks."""
        return self.call(lambda: sum(1 for t in asyncio.all_tasks() if t is not asyncio.current_task()
                                     and not t.done()))


@contextlib.contextmanager
def serve_in_thread(app: Any, *, startup_timeout: float = 15.0, **config: Any) -> Iterator[InProcessServer]:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    options = dict(host="127.0.0.1", port=port, log_level="warning", ws_per_message_deflate=False,
                   lifespan="off", timeout_graceful_shutdown=3)
    options.update(config)
    uv_config = uvicorn.Config(app, **options)
    server = uvicorn.Server(uv_config)
    loops: list[asyncio.AbstractEventLoop] = []
    failure: list[BaseException] = []

    async def serve() -> None:
        loops.append(asyncio.get_running_loop())
        await server.serve(sockets=[sock])

    def target() -> None:
        try:
            # The loop uvicorn itself would pick (uvloop when installed), run by us so we know which it is.
            with asyncio.Runner(loop_factory=uv_config.get_loop_factory()) as runner:
                runner.run(serve())
        except BaseException as e:  # noqa: BLE001 - reported to the starting thread below
            failure.append(e)

    thread = threading.Thread(target=target, name=f"uvicorn-{port}", daemon=True)
    thread.start()
    deadline = time.monotonic() + startup_timeout
    while not server.started:
        if failure or not thread.is_alive():
            sock.close()
            raise RuntimeError(f"uvicorn did not start: {failure!r}")
        if time.monotonic() > deadline:
            server.should_exit = True
            raise TimeoutError(f"uvicorn did not start within {startup_timeout} s")
        time.sleep(0.01)
    try:
        yield InProcessServer(port, app, server, loops[0])
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()
        compute = getattr(getattr(app, "state", None), "compute", None)
        if compute is not None and options["lifespan"] == "off":
            compute.close()  # the lifespan would have: the REST API's compute processes end with the server
        if thread.is_alive():
            server.force_exit = True
            thread.join(5)
            raise RuntimeError("uvicorn did not stop within 10 s of should_exit")
