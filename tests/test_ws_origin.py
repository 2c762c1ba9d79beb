"""Only pages from this server (or an allow-listed origin) may open a session: CORS does not cover WebSockets."""

import pytest
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect

from app.web.app import create_app
from lab_settings import make_settings
from live_server import live_server


@pytest.fixture(scope="module")
def server():
    with live_server(create_app(make_settings(allowed_origins=["https://lab.example.org"]))) as s:
        yield s


def _hello(server, origin):
    with connect(server.ws_url, origin=origin, open_timeout=5) as ws:
        return ws.recv(timeout=5)


def test_a_page_from_the_same_host_may_open_a_session(server):
    assert '"type":"hello"' in _hello(server, f"http://127.0.0.1:{server.port}")


def test_an_allow_listed_origin_may_open_a_session(server):
    assert '"type":"hello"' in _hello(server, "https://lab.example.org")


@pytest.mark.parametrize("origin", ["https://evil.example.com", "https://lab.example.org.evil.com",
                                    "http://127.0.0.1:1", "null"])
def test_a_cross_origin_socket_is_refused_with_403(server, origin):
    with pytest.raises(InvalidStatus) as refused:
        _hello(server, origin)
    assert refused.value.response.status_code == 403


def test_a_client_without_origin_is_not_a_browser_and_may_connect(server):
    with connect(server.ws_url, open_timeout=5) as ws:
        assert '"type":"hello"' in ws.recv(timeout=5)
