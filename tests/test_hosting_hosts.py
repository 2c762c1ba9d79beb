"""Other sites cannot use a learner's browser against the server (issue 16, item 7): a Host check on every
request and socket (DNS rebinding), and writes refused when they come from another site's page.
"""

from __future__ import annotations

import json
import socket

import httpx
import pytest
from fastapi.testclient import TestClient
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect

from app.web.app import create_app
from lab_settings import make_settings
from live_server import live_server

MODEL = {"layer_sizes": [2, 2], "hidden_activation": None, "output_activation": "softmax", "loss": "cross_entropy",
         "W": [[[0.1, -0.2], [0.3, 0.4]]], "b": [[0.0, 0.1]]}
EVIL = "http://evil.example"


def client(**settings) -> TestClient:
    return TestClient(create_app(make_settings(database_url="sqlite://", **settings)))


@pytest.fixture(scope="module")
def server():
    with live_server(create_app(make_settings(database_url="sqlite://"))) as s:
        yield s


# --- Host ---------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("host", ["localhost:8000", "LOCALHOST", "127.0.0.1:1234", "127.0.0.1", "[::1]:8000",
                                  "testserver"])
def test_loopback_names_and_the_servers_own_address_are_answered(host):
    with client() as c:
        assert c.get("/api/health", headers={"host": host}).status_code == 200


@pytest.mark.parametrize("host", ["evil.example", "evil.example:8000", "127.0.0.1.evil.example", "localhost.evil",
                                  "[::1", "127.0.0.1:port", ""])
def test_a_foreign_or_broken_host_gets_400(host):
    with client() as c:
        response = c.get("/api/health", headers={"host": host})
        assert response.status_code == 400
        assert response.headers["content-type"] == "application/json" and response.json()["detail"]
        assert response.headers["x-content-type-options"] == "nosniff", "the 400 carries the security headers"


def test_allowed_hosts_lets_a_public_name_in_with_any_port():
    with client(allowed_hosts=["lab.example.org"]) as c:
        assert c.get("/api/health", headers={"host": "lab.example.org"}).status_code == 200
        assert c.get("/api/health", headers={"host": "LAB.example.org:8443"}).status_code == 200
        assert c.get("/api/health", headers={"host": "other.example.org"}).status_code == 400
    with client(allowed_hosts=["*"]) as c:
        assert c.get("/api/health", headers={"host": "anything.example"}).status_code == 200


def test_a_foreign_host_is_refused_over_real_http(server):
    assert httpx.get(f"{server.url}/api/health", headers={"Host": "evil.example"}, timeout=5).status_code == 400
    assert httpx.get(f"{server.url}/api/health", timeout=5).status_code == 200


def test_a_dns_rebinding_socket_is_refused(server):
    """Host and Origin both evil.example:PORT, as a page from that name resolved to 127.0.0.1 would send them."""
    sock = socket.create_connection(("127.0.0.1", server.port), timeout=5)
    name = f"evil.example:{server.port}"
    with pytest.raises(InvalidStatus) as refused:
        with connect(f"ws://{name}/ws", sock=sock, origin=f"http://{name}", open_timeout=5):
            pass
    assert refused.value.response.status_code == 403


def test_a_socket_with_a_loopback_host_still_opens(server):
    with connect(server.ws_url, origin=server.url, open_timeout=5) as ws:
        assert json.loads(ws.recv(timeout=5))["type"] == "hello"


# --- cross-site writes --------------------------------------------------------------------------------------

def test_a_write_from_another_sites_page_gets_403_and_changes_nothing():
    with client() as c:
        refused = c.post("/api/models", json={"name": "csrf", "model": MODEL}, headers={"origin": EVIL})
        assert refused.status_code == 403 and refused.json()["detail"]
        assert c.get("/api/models").json()["total"] == 0


def test_a_cross_site_multipart_import_gets_403():
    with client() as c:
        files = {"file": ("m.json", json.dumps(MODEL).encode(), "application/json")}
        assert c.post("/api/models/import", files=files, headers={"origin": EVIL}).status_code == 403
        assert c.post("/api/models/import", files=files,
                      headers={"sec-fetch-site": "cross-site"}).status_code == 403
        assert c.get("/api/models").json()["total"] == 0


def test_a_cross_site_delete_gets_403_and_the_model_stays():
    with client() as c:
        saved = c.post("/api/models", json={"name": "mine", "model": MODEL})
        assert saved.status_code == 201
        location = saved.headers["location"]
        for headers in ({"origin": EVIL}, {"origin": "null"}, {"sec-fetch-site": "cross-site"}):
            assert c.delete(location, headers=headers).status_code == 403
        assert c.get(location).status_code == 200


@pytest.mark.parametrize("headers", [{}, {"origin": "http://testserver"}, {"sec-fetch-site": "same-origin"},
                                     {"origin": "http://testserver", "sec-fetch-site": "same-origin"}])
def test_writes_without_origin_or_from_the_same_origin_pass(headers):
    with client() as c:
        assert c.post("/api/models", json={"name": "ok", "model": MODEL}, headers=headers).status_code == 201


def test_an_allow_listed_origin_may_write_and_reads_are_never_refused():
    with client(allowed_origins=["https://lab.example.org"]) as c:
        assert c.post("/api/models", json={"name": "ok", "model": MODEL},
                      headers={"origin": "https://lab.example.org"}).status_code == 201
        assert c.get("/api/models", headers={"origin": EVIL}).status_code == 200
