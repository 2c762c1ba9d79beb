"""Helpers for the WebSocket tests: a real uvicorn server in a thread, and clients with bounded waits.

Not a conftest: the WebSocket test modules import what they need from here.

- `live_server(app)`: `app` under uvicorn in a thread (app/web/inprocess.py, as the benchmarks serve it); yields
  a `LiveServer` with `.url`, `.ws_url`, and `.call()` / `.task_count()` on the server's event loop.
- `connect(url)` / `recv_until(ws, predicate, timeout)`: an async client on the `websockets` package.
- `Transport(kind, app)`: one synchronous interface (`Conn`) over Starlette's TestClient and a real socket,
  so the same protocol test runs against both. Every receive has a timeout; nothing waits forever.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Callable

import anyio
import httpx
import pytest
import websockets
from websockets.asyncio.client import ClientConnection
from websockets.asyncio.client import connect as _ws_connect
from websockets.sync.client import connect as _ws_sync_connect

from app.web.inprocess import InProcessServer, serve_in_thread

DEFAULT_TIMEOUT = 5.0


# --- a real server: app/web/inprocess.py, shared with the benchmarks --------------------------------------

LiveServer = InProcessServer
live_server = serve_in_thread


# --- an async client (websockets) --------------------------------------------------------------------

def connect(url: str, **kwargs: Any):
    """`websockets.asyncio.client.connect` with deflate off, no size limit and bounded handshakes."""
    options = dict(compression=None, max_size=None, open_timeout=DEFAULT_TIMEOUT, close_timeout=2,
                   ping_interval=None)
    options.update(kwargs)
    return _ws_connect(url, **options)


async def recv_message(ws: ClientConnection, timeout: float = DEFAULT_TIMEOUT) -> str | bytes:
    return await asyncio.wait_for(ws.recv(), timeout)


async def recv_until(ws: ClientConnection, predicate: Callable[[Any], bool], timeout: float = DEFAULT_TIMEOUT,
                     *, binary: bool = False, seen: list | None = None, texts: list | None = None) -> Any:
    """Receive until predicate(message) holds and return that message; TimeoutError after `timeout` s in all.

    Text messages are JSON-decoded; binary frames are skipped unless binary=True (then predicate sees bytes).
    Every message looked at is appended to `seen`, every raw text to `texts`.
    """
    seen = seen if seen is not None else []
    try:
        async with asyncio.timeout(timeout):
            while True:
                raw = await ws.recv()
                if isinstance(raw, bytes):
                    if not binary:
                        continue
                    message: Any = raw
                else:
                    if texts is not None:
                        texts.append(raw)
                    message = json.loads(raw)
                seen.append(message)
                if predicate(message):
                    return message
    except TimeoutError:
        kinds = [m.get("type") if isinstance(m, dict) else f"<{len(m)} bytes>" for m in seen[-15:]]
        raise TimeoutError(f"no matching message within {timeout} s; last seen: {kinds}") from None


def of_type(*types: str) -> Callable[[Any], bool]:
    return lambda m: isinstance(m, dict) and m.get("type") in types


# --- one synchronous interface over TestClient and a real socket -----------------------------------------

@dataclass
class Msg:
    kind: str  # "text", "bytes" or "close"
    data: str | bytes | None = None
    code: int | None = None
    reason: str = ""

    def json(self) -> Any:
        assert self.kind == "text", f"expected a text message, got {self}"
        return json.loads(self.data)


@dataclass
class Conn:
    """What a test needs of a WebSocket: send, receive with a timeout, see how it closed."""
    texts: list[str] = field(default_factory=list)  # every text message received, raw
    closed: Msg | None = None

    # transport-specific
    def _recv(self, timeout: float) -> Msg:
        raise NotImplementedError

    def send_text(self, text: str) -> None:
        raise NotImplementedError

    def send_bytes(self, data: bytes) -> None:
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError

    # shared
    def send_json(self, obj: Any) -> None:
        self.send_text(json.dumps(obj))

    def recv(self, timeout: float = DEFAULT_TIMEOUT) -> Msg:
        if self.closed is not None:
            return self.closed
        message = self._recv(timeout)
        if message.kind == "text":
            self.texts.append(message.data)
        elif message.kind == "close":
            self.closed = message
        return message

    def recv_until(self, predicate: Callable[[Any], bool], timeout: float = DEFAULT_TIMEOUT, *,
                   binary: bool = False, seen: list | None = None) -> Any:
        """Like the async recv_until; an AssertionError if the socket closes first."""
        seen = seen if seen is not None else []
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                kinds = [m.get("type") if isinstance(m, dict) else f"<{len(m)} bytes>" for m in seen[-15:]]
                raise TimeoutError(f"no matching message within {timeout} s; last seen: {kinds}")
            try:
                message = self.recv(left)
            except TimeoutError:
                continue
            if message.kind == "close":
                raise AssertionError(f"the socket closed ({message.code} {message.reason!r}) while waiting; "
                                     f"last seen: {seen[-5:]!r}"[:2000])
            if message.kind == "bytes":
                if not binary:
                    continue
                item: Any = message.data
            else:
                item = message.json()
            seen.append(item)
            if predicate(item):
                return item

    def recv_type(self, *types: str, timeout: float = DEFAULT_TIMEOUT, seen: list | None = None) -> dict:
        return self.recv_until(of_type(*types), timeout, seen=seen)

    def expect_close(self, timeout: float = DEFAULT_TIMEOUT) -> Msg:
        """Read (and drop) messages until the server closes; the close."""
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"the server did not close the socket within {timeout} s")
            try:
                message = self.recv(left)
            except TimeoutError:
                continue
            if message.kind == "close":
                return message

    def drain(self, quiet: float = 0.2, limit: float = DEFAULT_TIMEOUT) -> list[Msg]:
        """Everything that arrives until nothing has come for `quiet` seconds."""
        got = []
        deadline = time.monotonic() + limit
        while time.monotonic() < deadline:
            try:
                message = self.recv(quiet)
            except TimeoutError:
                return got
            got.append(message)
            if message.kind == "close":
                return got
        raise AssertionError(f"messages kept coming for {limit} s")


async def _receive_within(stream: Any, timeout: float) -> Any:
    with anyio.fail_after(timeout):
        return await stream.receive()


class TestClientConn(Conn):
    __test__ = False  # not a test class

    def __init__(self, client: Any, path: str = "/ws"):
        super().__init__()
        self._cm = client.websocket_connect(path)
        self.ws = self._cm.__enter__()
        self._open = True

    def _recv(self, timeout: float) -> Msg:
        # WebSocketTestSession.receive() has no timeout: wait on its stream under anyio.fail_after instead.
        message = self.ws.portal.call(_receive_within, self.ws._send_rx, timeout)
        if message["type"] == "websocket.close":
            return Msg("close", code=message.get("code", 1000), reason=message.get("reason") or "")
        if message.get("text") is not None:
            return Msg("text", message["text"])
        return Msg("bytes", message["bytes"])

    def send_text(self, text: str) -> None:
        self.ws.send_text(text)

    def send_bytes(self, data: bytes) -> None:
        self.ws.send_bytes(data)

    def close(self) -> None:
        if self._open:
            self._open = False
            self._cm.__exit__(None, None, None)


class SocketConn(Conn):
    def __init__(self, url: str):
        super().__init__()
        self._cm = _ws_sync_connect(url, compression=None, max_size=None, open_timeout=DEFAULT_TIMEOUT,
                                    close_timeout=2)
        self.ws = self._cm.__enter__()

    def _recv(self, timeout: float) -> Msg:
        try:
            raw = self.ws.recv(timeout=timeout)
        except websockets.ConnectionClosed as e:
            rcvd = e.rcvd
            return Msg("close", code=rcvd.code if rcvd else 1006, reason=rcvd.reason if rcvd else "")
        return Msg("text", raw) if isinstance(raw, str) else Msg("bytes", raw)

    def send_text(self, text: str) -> None:
        self.ws.send(text)

    def send_bytes(self, data: bytes) -> None:
        self.ws.send(data)

    def close(self) -> None:
        self._cm.__exit__(None, None, None)


class Transport:
    """Opens connections to one app over one transport ("testclient" or "uvicorn"); close() ends it all."""

    def __init__(self, kind: str, app: Any):
        self.kind, self.app = kind, app
        self._stack = contextlib.ExitStack()
        self._conns: list[Conn] = []
        if kind == "testclient":
            from fastapi.testclient import TestClient
            self.client = self._stack.enter_context(TestClient(app))
        elif kind == "uvicorn":
            self.server = self._stack.enter_context(live_server(app))
        else:
            raise ValueError(kind)

    def open(self) -> Conn:
        conn: Conn = TestClientConn(self.client) if self.kind == "testclient" else SocketConn(self.server.ws_url)
        self._conns.append(conn)
        return conn

    def close_connections(self) -> None:
        while self._conns:
            with contextlib.suppress(Exception):
                self._conns.pop().close()

    def close(self) -> None:
        self.close_connections()
        self._stack.close()


def transport_fixture(*kinds: str, **settings: Any):
    """A module's `transport` fixture: one app made with `settings` (over lab_settings.make_settings), opened over
    each of `kinds` in turn ("testclient" when none is named). Assign it to the name `transport`."""
    @pytest.fixture(scope="module", params=kinds or ("testclient",))
    def transport(request):
        from app.web.app import create_app
        from lab_settings import make_settings

        t = Transport(request.param, create_app(make_settings(**settings)))
        yield t
        t.close()
    return transport


def hello_conn_fixture():
    """A `conn` fixture: a socket of the module's `transport`, past its `hello` (kept as conn.hello)."""
    @pytest.fixture
    def conn(transport):
        c = transport.open()
        c.hello = c.recv_type("hello")
        yield c
        transport.close_connections()
    return conn


def wait_until(condition: Callable[[], bool], timeout: float = DEFAULT_TIMEOUT, interval: float = 0.02) -> bool:
    """Poll until condition() holds; its last value."""
    deadline = time.monotonic() + timeout
    while True:
        if condition():
            return True
        if time.monotonic() > deadline:
            return bool(condition())
        time.sleep(interval)


def health_latencies_while(url: str, work: Callable[[], Any]) -> tuple[Any, list[float]]:
    """Run work() in a thread; meanwhile time GET /api/health every 10 ms on a connection of its own.
    (work's result, the latencies in seconds, sorted)"""
    result: list = []
    thread = threading.Thread(target=lambda: result.append(work()), daemon=True)
    latencies: list[float] = []
    with httpx.Client(base_url=url, timeout=30) as health:
        health.get("/api/health")  # connected before the work starts
        thread.start()
        while thread.is_alive() or len(latencies) < 5:
            started = time.perf_counter()
            assert health.get("/api/health").status_code == 200
            latencies.append(time.perf_counter() - started)
            time.sleep(0.01)
    thread.join(60)
    assert result, "the work finished"
    return result[0], sorted(latencies)
