"""No single client can take every live session: a cap per client address (counted as the rate limit counts
clients), and a lifetime that ends even an active session (issue 16, item 1).

A real uvicorn on loopback; uvicorn takes X-Forwarded-For from 127.0.0.1, so each test client acts as an address
of its own. Every wait is bounded.
"""

from __future__ import annotations

import contextlib
import os
import time

import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from app.settings import Settings
from app.web.app import create_app
from lab_settings import make_settings
from live_server import live_server, wait_until

VISITOR, BYSTANDER = "203.0.113.5", "198.51.100.7"


def open_session(stack: contextlib.ExitStack, server, address: str):
    """A socket from `address`, closed with `stack`: the connection and its first message (hello, or the close
    that refused it)."""
    ws = stack.enter_context(connect(server.ws_url, additional_headers={"X-Forwarded-For": address},
                                     open_timeout=5, close_timeout=2))
    try:
        return ws, ws.recv(timeout=5)
    except ConnectionClosed as closed:
        return ws, closed.rcvd


def is_hello(first) -> bool:
    return isinstance(first, str) and '"type":"hello"' in first


@pytest.fixture
def capped():
    app = create_app(make_settings(database_url="sqlite://", max_sessions=10, max_sessions_per_client=2))
    with live_server(app) as server:
        yield server


def test_a_client_past_its_cap_is_refused_with_1013_and_others_still_get_sessions(capped):
    with contextlib.ExitStack() as stack:
        held = []
        for _ in range(2):
            ws, first = open_session(stack, capped, VISITOR)
            assert is_hello(first)
            held.append(ws)
        _, refused = open_session(stack, capped, VISITOR)
        assert refused is not None and refused.code == 1013
        _, first = open_session(stack, capped, BYSTANDER)
        assert is_hello(first), "another address keeps its own places"

        held[0].close()
        assert wait_until(lambda: len(capped.app.state.sessions.sessions) == 2)
        _, first = open_session(stack, capped, VISITOR)
        assert is_hello(first), "a closed session gives its place back to its client"


def test_the_cap_counts_the_address_the_rate_limit_counts(capped):
    with contextlib.ExitStack() as stack:
        _, first = open_session(stack, capped, VISITOR)
        assert is_hello(first)
        assert list(capped.app.state.sessions.sessions.values()) == [VISITOR]


def test_without_a_per_client_cap_one_client_may_fill_the_server_up_to_max_sessions():
    app = create_app(make_settings(database_url="sqlite://", max_sessions=3, max_sessions_per_client=0))
    with live_server(app) as server, contextlib.ExitStack() as stack:
        for _ in range(3):
            _, first = open_session(stack, server, VISITOR)
            assert is_hello(first)
        _, refused = open_session(stack, server, BYSTANDER)
        assert refused is not None and refused.code == 1013


def test_an_active_session_still_ends_at_its_lifetime():
    lifetime = 1.0
    app = create_app(make_settings(database_url="sqlite://", session_lifetime=lifetime, idle_timeout=30.0))
    with live_server(app) as server:
        started = time.monotonic()
        with contextlib.ExitStack() as stack:
            ws, first = open_session(stack, server, VISITOR)
            assert is_hello(first)
            closed = None
            while closed is None and time.monotonic() - started < lifetime + 5:
                try:
                    ws.send('{"type": "history"}')  # a message every 0.1 s: never idle
                    ws.recv(timeout=0.1)
                except TimeoutError:
                    pass
                except ConnectionClosed as e:
                    closed = e.rcvd
        elapsed = time.monotonic() - started
        assert closed is not None and closed.code == 1000
        assert lifetime <= elapsed < lifetime + 5
        assert wait_until(lambda: not server.app.state.sessions.sessions)


def test_hosted_mode_caps_sessions_per_client_and_their_lifetime(monkeypatch):
    for name in list(os.environ):
        if name.startswith("BACKPROP_LAB_"):
            monkeypatch.delenv(name)
    hosted, local = Settings(mode="hosted"), Settings()
    assert hosted.max_sessions_per_client == 4 and hosted.session_lifetime == 3600
    assert local.max_sessions_per_client == 0 and local.session_lifetime == 0
