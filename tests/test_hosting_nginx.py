"""Behind a reverse proxy: Debian's nginx, with the configuration docs/deploy.md gives (deploy/nginx.conf), in front of
the app served under the root path /lab/: pages, static files, the API, the WebSocket upgrade, the Origin check and
the forwarded client address all work through it.

nginx runs as a subprocess of the test, with a prefix folder of its own; the only changes to deploy/nginx.conf are
the two ports. scripts/test installs nginx when it is missing (as root); without it these tests are skipped.
The dashboard in Chromium through this proxy is in test_hosting_browser.py.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import httpx
import pytest
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect

from app.web.app import create_app
from app.web.security import CSP
from lab_settings import make_settings
from live_server import LiveServer, live_server

ROOT = Path(__file__).resolve().parents[1]
NGINX_CONF = ROOT / "deploy" / "nginx.conf"
NGINX = shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx",) if os.path.exists(p)), None)
PREFIX = "/lab"

needs_nginx = pytest.mark.skipif(NGINX is None, reason="no nginx: scripts/test installs Debian's nginx as root")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def site_config(app_port: int, nginx_port: int) -> str:
    """deploy/nginx.conf with the test's two ports: nothing else changes."""
    text = NGINX_CONF.read_text()
    for old, new in [("server 127.0.0.1:8000;", f"server 127.0.0.1:{app_port};"),
                     ("listen 80;", f"listen 127.0.0.1:{nginx_port};")]:
        assert text.count(old) == 1, f"deploy/nginx.conf no longer has exactly one `{old}`"
        text = text.replace(old, new)
    return text


@contextlib.contextmanager
def nginx(app_port: int) -> Iterator[str]:
    """nginx in the foreground with a prefix folder of its own, proxying to 127.0.0.1:app_port; its base URL."""
    folder = Path(tempfile.mkdtemp(prefix="backprop-lab-nginx-"))
    port = free_port()
    (folder / "backprop-lab.conf").write_text(site_config(app_port, port))
    temp = {name: folder / name for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")}
    for path in temp.values():
        path.mkdir()
    user = "user root root;" if os.geteuid() == 0 else ""  # as root, workers would otherwise run as nobody
    (folder / "nginx.conf").write_text(f"""
        daemon off;
        {user}
        worker_processes 1;
        pid {folder}/nginx.pid;
        error_log {folder}/error.log warn;
        events {{ worker_connections 512; }}
        http {{
            access_log {folder}/access.log;
            client_body_temp_path {temp['client_body']};
            proxy_temp_path {temp['proxy']};
            fastcgi_temp_path {temp['fastcgi']};
            uwsgi_temp_path {temp['uwsgi']};
            scgi_temp_path {temp['scgi']};
            include {folder}/backprop-lab.conf;
        }}
    """)
    process = subprocess.Popen([NGINX, "-p", str(folder), "-c", str(folder / "nginx.conf"), "-e",
                                str(folder / "error.log")], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 10
        while True:
            if process.poll() is not None:
                log = (folder / "error.log").read_text() if (folder / "error.log").exists() else ""
                raise RuntimeError(f"nginx exited: {process.stdout.read().decode()} {log}")
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.2):
                break
            if time.monotonic() > deadline:
                raise TimeoutError("nginx did not start listening")
            time.sleep(0.05)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.send_signal(signal.SIGQUIT)  # graceful stop of the master we started, and its worker
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)
        shutil.rmtree(folder, ignore_errors=True)


@dataclass
class Proxied:
    url: str  # nginx's base URL, without the prefix
    app: LiveServer

    @property
    def lab(self) -> str:
        return self.url + PREFIX

    @property
    def ws_url(self) -> str:
        return self.lab.replace("http://", "ws://") + "/ws"


@contextlib.contextmanager
def proxied_app(tmp_path: Path, **settings) -> Iterator[Proxied]:
    """The app (root path /lab, a database of its own) under uvicorn, with nginx in front of it."""
    app = create_app(make_settings(database_url=f"sqlite:///{tmp_path / 'models.db'}", root_path=PREFIX,
                                   **settings))
    with live_server(app) as server, nginx(server.port) as url:
        yield Proxied(url, server)


@pytest.fixture(scope="module")
def proxied(tmp_path_factory) -> Iterator[Proxied]:
    if NGINX is None:
        pytest.skip("no nginx: scripts/test installs Debian's nginx as root")
    with proxied_app(tmp_path_factory.mktemp("nginx")) as p:
        yield p


# --- HTTP through the proxy ------------------------------------------------------------------------------------

@needs_nginx
def test_the_page_and_its_files_are_served_under_the_prefix(proxied):
    page = httpx.get(proxied.lab + "/", timeout=10)
    assert page.status_code == 200
    assert page.headers["content-security-policy"] == CSP, "the app's headers pass through"
    links = [line for line in page.text.splitlines() if "static/" in line or "vendor/" in line]
    assert links and all(f"{proxied.lab}/" in line for line in links), \
        f"links point at the proxy's host and prefix: {links[:3]}"
    for line in links:
        url = line.split('href="')[-1].split('src="')[-1].split('"')[0]
        assert httpx.get(url, timeout=10).status_code == 200, url
    assert httpx.get(proxied.lab + "/static/js/main.js", timeout=10).headers["content-type"].startswith(
        ("text/javascript", "application/javascript"))


@needs_nginx
def test_the_bare_prefix_redirects_and_nothing_is_served_outside_it(proxied):
    bare = httpx.get(proxied.lab, timeout=10)
    assert bare.status_code == 301 and bare.headers["location"].endswith("/lab/")
    assert httpx.get(proxied.url + "/api/health", timeout=10).status_code == 404


@needs_nginx
def test_the_api_and_its_reference_work_under_the_prefix(proxied):
    assert httpx.get(proxied.lab + "/api/health", timeout=10).json()["status"] == "ok"
    docs = httpx.get(proxied.lab + "/docs", timeout=10)
    assert docs.status_code == 200 and "'/lab/openapi.json'" in docs.text.replace('"', "'")
    schema = httpx.get(proxied.lab + "/openapi.json", timeout=10).json()
    assert schema["servers"] == [{"url": "/lab"}], "the reference's 'try it out' calls go through the proxy"
    body = {"model": {"layer_sizes": [2, 2], "hidden_activation": "sigmoid", "output_activation": "softmax",
                      "loss": "cross_entropy", "W": [[[0.1, 0.2], [0.3, 0.4]]], "b": [[0.0, 0.0]]},
            "inputs": [[1.0, 0.0]], "labels": [[1.0, 0.0]]}
    assert httpx.post(proxied.lab + "/api/backprop", json=body, timeout=10).status_code == 200


@needs_nginx
def test_the_rate_limit_counts_the_real_client_and_a_forged_forwarded_for_does_not_escape_it(tmp_path):
    with proxied_app(tmp_path, rate_limit=60, rate_limit_burst=5) as proxied:
        # Through nginx: the proxy replaces X-Forwarded-For with the address it sees; forging it changes nothing.
        statuses = [httpx.get(proxied.lab + "/api/datasets", headers={"X-Forwarded-For": f"192.0.2.{i}"},
                              timeout=10).status_code for i in range(7)]
        assert statuses[:5] == [200] * 5 and statuses[5:] == [429, 429], statuses
        # Straight to the app from the proxy's address (trusted by --forwarded-allow-ips, 127.0.0.1 by default),
        # the forwarded address is the client: each of these is a client of its own, so none is limited.
        direct = proxied.app.url
        assert all(httpx.get(direct + "/api/datasets", headers={"X-Forwarded-For": f"198.51.100.{i}"},
                             timeout=10).status_code == 200 for i in range(10))


# --- the WebSocket through the proxy ---------------------------------------------------------------------------

@needs_nginx
def test_a_same_origin_socket_is_upgraded_through_the_proxy_and_trains(proxied):
    with connect(proxied.ws_url, origin=proxied.url, open_timeout=5, close_timeout=2) as ws:
        assert json.loads(ws.recv(timeout=5))["type"] == "hello"
        ws.send(json.dumps({"type": "configure", "dataset": {"name": "xor"}}))
        ws.send(json.dumps({"type": "step", "count": 25}))
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            message = ws.recv(timeout=10)
            if isinstance(message, str) and json.loads(message)["type"] == "state" \
                    and json.loads(message)["step"] == 25:
                break
        else:
            raise AssertionError("no state at step 25 through the proxy")


@needs_nginx
@pytest.mark.parametrize("origin", ["http://evil.example", "http://127.0.0.1:1", "null"])
def test_a_cross_origin_socket_is_refused_through_the_proxy(proxied, origin):
    with pytest.raises(InvalidStatus) as refused:
        with connect(proxied.ws_url, origin=origin, open_timeout=5) as ws:
            ws.recv(timeout=5)
    assert refused.value.response.status_code == 403


@needs_nginx
def test_the_session_cap_answers_1013_through_the_proxy(tmp_path):
    with proxied_app(tmp_path, max_sessions=1) as p:
        with connect(p.ws_url, origin=p.url, open_timeout=5) as first:
            assert json.loads(first.recv(timeout=5))["type"] == "hello"
            with connect(p.ws_url, origin=p.url, open_timeout=5) as second:
                with pytest.raises(Exception) as closed:
                    second.recv(timeout=5)
        assert closed.value.rcvd.code == 1013 and "full" in closed.value.rcvd.reason
