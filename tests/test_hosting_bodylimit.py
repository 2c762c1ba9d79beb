"""The request body limit (app/web/bodylimit.py): a body over BACKPROP_LAB_MAX_BODY_BYTES is a 413 before it is read,
whether it says its length or streams it; everything smaller, and every GET and socket, goes through as before;
and the defaults leave room for the largest request the other limits allow."""

from __future__ import annotations

import asyncio
import json
import time

import httpx
import numpy as np
import pytest
from fastapi.testclient import TestClient

from app import datasets
from app.settings import HOSTED
from app.web.app import create_app
from app.web.bodylimit import BodyLimitMiddleware
from lab_settings import make_settings
from live_server import health_latencies_while, live_server

MODEL = {"layer_sizes": [2, 2], "hidden_activation": None, "output_activation": "softmax", "loss": "cross_entropy",
         "W": [[[0.1, -0.2], [0.3, 0.4]]], "b": [[0.0, 0.1]]}
BACKPROP = {"model": MODEL, "inputs": [[1.0, 0.0], [0.0, 1.0]], "labels": [[1.0, 0.0], [0.0, 1.0]]}
JSON = {"content-type": "application/json"}


def client_with(**overrides) -> TestClient:
    return TestClient(create_app(make_settings(database_url="sqlite://", **overrides)))


def hosted(**overrides):
    return make_settings(database_url="sqlite://", mode="hosted", **{**HOSTED, **overrides})


def assert_413(response, *words: str) -> str:
    assert response.status_code == 413, f"{response.status_code}: {response.text[:300]}"
    assert response.headers["content-type"].startswith("application/json")
    detail = response.json()["detail"]
    for word in ("at most", "BACKPROP_LAB_MAX_BODY_BYTES", *words):
        assert word in detail, f"{word!r} not in {detail!r}"
    return detail


# --- the middleware alone: what it reads ---------------------------------------------------------------------

def run_middleware(max_bytes: int, headers: list, chunks: list[bytes]) -> tuple[list[dict], dict]:
    """Drive BodyLimitMiddleware over an app that reads the whole body and answers 200 with its length."""
    seen = {"receives": 0, "app_called": False, "app_read": 0}

    async def app(scope, receive, send):
        seen["app_called"] = True
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                await send({"type": "http.response.start", "status": 400, "headers": []})
                await send({"type": "http.response.body", "body": b"client went away"})
                return
            seen["app_read"] += len(message.get("body", b""))
            if not message.get("more_body"):
                break
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": str(seen["app_read"]).encode()})

    async def scenario() -> list[dict]:
        sent: list[dict] = []
        queue = [{"type": "http.request", "body": c, "more_body": i < len(chunks) - 1} for i, c in enumerate(chunks)]

        async def receive():
            seen["receives"] += 1
            return queue.pop(0)

        async def send(message):
            sent.append(message)

        scope = {"type": "http", "method": "POST", "path": "/api/backprop", "root_path": "", "headers": headers}
        await BodyLimitMiddleware(app, max_bytes=max_bytes)(scope, receive, send)
        return sent

    return asyncio.run(scenario()), seen


def status_and_body(sent: list[dict]) -> tuple[list[int], bytes]:
    return ([m["status"] for m in sent if m["type"] == "http.response.start"],
            b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body"))


def test_a_content_length_over_the_limit_is_refused_without_reading_the_body():
    sent, seen = run_middleware(1000, [(b"content-length", b"33554432")], [b"x" * 100])
    statuses, body = status_and_body(sent)
    assert statuses == [413]
    assert json.loads(body)["detail"] == ("the request body is 33,554,432 bytes; at most 1,000 bytes are allowed "
                                          "(BACKPROP_LAB_MAX_BODY_BYTES)")
    assert seen["receives"] == 0 and not seen["app_called"], "nothing read, the app never asked"
    start = sent[0]
    assert (b"connection", b"close") in start["headers"], "the rest of the body is not waited for"


def test_a_streamed_body_is_refused_as_soon_as_it_passes_the_limit():
    """No Content-Length (chunked): the 413 goes out at the chunk that passes the limit; the rest is never read."""
    sent, seen = run_middleware(2500, [(b"transfer-encoding", b"chunked")], [b"x" * 1000] * 10)
    statuses, body = status_and_body(sent)
    assert statuses == [413], "only the 413: what the app answers to the 'disconnect' is dropped"
    assert "over 2,500 bytes (3,000 received so far)" in json.loads(body)["detail"]
    assert seen["receives"] == 3, "reading stopped at the third of ten chunks"
    assert seen["app_read"] == 2000, "the app never saw the chunk that passed the limit"


def test_a_streamed_body_at_the_limit_reaches_the_app_whole():
    sent, seen = run_middleware(3000, [], [b"x" * 1000] * 3)
    assert status_and_body(sent) == ([200], b"3000")


def test_a_body_that_understates_its_length_is_still_counted():
    sent, _ = run_middleware(1500, [(b"content-length", b"10")], [b"x" * 1000] * 2)
    assert status_and_body(sent)[0] == [413]


def test_websockets_pass_through_untouched():
    called = []

    async def app(scope, receive, send):
        called.append(scope["type"])

    asyncio.run(BodyLimitMiddleware(app, max_bytes=1)({"type": "websocket", "headers": [
        (b"content-length", b"999")]}, None, None))
    assert called == ["websocket"]


# --- in the app ----------------------------------------------------------------------------------------------

def padded(body: dict, size: int) -> bytes:
    """The JSON of `body`, padded with trailing spaces (still valid JSON) to exactly `size` bytes."""
    raw = json.dumps(body).encode()
    assert len(raw) <= size
    return raw + b" " * (size - len(raw))


def test_a_body_over_the_limit_is_a_413_in_the_api_error_style_with_the_security_headers():
    with client_with(max_body_bytes=1000) as client:
        response = client.post("/api/backprop", content=padded(BACKPROP, 1001), headers=JSON)
        assert_413(response, "1,001 bytes", "1,000 bytes")
        assert response.headers["x-content-type-options"] == "nosniff"


def test_a_body_at_the_limit_gets_the_endpoints_normal_answer():
    with client_with(max_body_bytes=1000) as client:
        response = client.post("/api/backprop", content=padded(BACKPROP, 1000), headers=JSON)
        assert response.status_code == 200, response.text
        assert response.json()["delta_rule"] == "δᴸ = a − y"
        assert client.post("/api/backprop", content=padded(BACKPROP, 999), headers=JSON).status_code == 200


def test_uploads_are_limited_too():
    with client_with(max_body_bytes=1000) as client:
        csv = b"x,y,label\n" + b"1,2,a\n3,4,b\n" * 200
        assert_413(client.post("/api/datasets/csv", files={"file": ("d.csv", csv, "text/csv")}))
        small = b"x,y,label\n1,2,a\n3,4,b\n"
        assert client.post("/api/datasets/csv", files={"file": ("d.csv", small, "text/csv")}).status_code == 200


def test_get_requests_pages_and_the_socket_are_unaffected():
    with client_with(max_body_bytes=10) as client:
        for path in ["/", "/api/health", "/api/datasets", "/api/datasets/xor", "/openapi.json", "/static/style.css"]:
            assert client.get(path).status_code == 200, path
        with client.websocket_connect("/ws") as ws:
            assert ws.receive_json()["type"] == "hello"


def test_an_oversized_body_spends_a_request_of_the_rate_limit():
    """Inside the rate limit: an oversized body spends a request, like any other."""
    with client_with(max_body_bytes=100, rate_limit=60, rate_limit_burst=2) as client:
        big = padded(BACKPROP, 400)
        assert client.post("/api/backprop", content=big, headers=JSON).status_code == 413
        assert client.post("/api/backprop", content=big, headers=JSON).status_code == 413
        assert client.post("/api/backprop", content=big, headers=JSON).status_code == 429


def test_every_operation_that_takes_a_body_documents_the_413():
    paths = create_app(make_settings(database_url="sqlite://")).openapi()["paths"]
    with_body = [(path, method) for path, item in paths.items() for method, op in item.items() if "requestBody" in op]
    assert ("/api/backprop", "post") in with_body and ("/api/models/import", "post") in with_body
    for path, method in with_body:
        assert "413" in paths[path][method]["responses"], f"{method.upper()} {path}"
    assert "413" not in paths["/api/health"]["get"]["responses"]


# --- the defaults fit the largest legitimate requests ----------------------------------------------------------

def largest_training_body(settings) -> bytes:
    """A /api/train body as big as the other limits allow in practice: a model with max_parameters weights and
    biases (full-precision floats) over the whole digits set, standardised (full-precision floats as well)."""
    data = datasets.load("digits", n=1797)
    X = (data.inputs - data.inputs.mean(axis=0)) / (data.inputs.std(axis=0) + 1e-3)
    n_in, n_out, width = X.shape[1], data.labels.shape[1], settings.max_units
    # Two hidden layers: the first max_units wide, the second as wide as max_parameters leaves room for.
    second = (settings.max_parameters - (n_in + 1) * width - n_out) // (width + 1 + n_out)
    sizes = [n_in, width, second, n_out]
    rng = np.random.default_rng(0)
    model = {"layer_sizes": sizes, "hidden_activation": "sigmoid", "output_activation": "softmax",
             "loss": "cross_entropy",
             "W": [(rng.standard_normal((o, i)) * 0.1).tolist() for i, o in zip(sizes, sizes[1:])],
             "b": [(rng.standard_normal(o) * 0.1).tolist() for o in sizes[1:]]}
    parameters = sum((i + 1) * o for i, o in zip(sizes, sizes[1:]))
    assert settings.max_parameters - 1_500 < parameters <= settings.max_parameters
    return json.dumps({"model": model, "inputs": X.tolist(), "labels": data.labels.tolist(),
                       "optimizer": {"name": "sgd", "learning_rate": 0.1}, "steps": 1}).encode()


@pytest.mark.parametrize("mode", ["local", "hosted"])
def test_the_largest_training_request_fits_with_headroom_and_is_answered(mode):
    settings = make_settings(database_url="sqlite://") if mode == "local" else hosted()
    body = largest_training_body(settings)
    assert len(body) * 1.5 < settings.max_body_bytes, f"{len(body):,} bytes vs {settings.max_body_bytes:,}"
    with TestClient(create_app(settings)) as client:  # one training step: a lighter answer than /api/backprop's
        response = client.post("/api/train", content=body, headers=JSON)
        assert response.status_code == 200, response.text[:300]
        assert len(response.json()["loss_history"]) == 2


@pytest.mark.parametrize("mode", ["local", "hosted"])
def test_an_import_or_upload_at_its_own_limit_fits(mode):
    settings = make_settings(database_url="sqlite://") if mode == "local" else hosted()
    multipart_overhead = 1_000  # boundaries, part headers, the name field
    assert settings.max_import_bytes + multipart_overhead < settings.max_body_bytes
    assert settings.max_upload_bytes + multipart_overhead < settings.max_body_bytes


def test_hosted_refuses_the_32_mb_body_that_stalled_the_server():
    with TestClient(create_app(hosted())) as client:
        response = client.post("/api/backprop", content=b" " * (32 * 2**20), headers=JSON)
        assert_413(response, "33,554,432 bytes", "8,388,608 bytes")


# --- a real server -----------------------------------------------------------------------------------------

BIG = 64 * 2**20


def timed_post(url: str, **kwargs) -> tuple[int, str, float]:
    started = time.perf_counter()
    with httpx.Client(base_url=url, timeout=30) as client:
        response = client.post("/api/backprop", headers=JSON, **kwargs)
    return response.status_code, response.text, time.perf_counter() - started


def test_a_64_mb_body_is_refused_quickly_by_a_real_server_that_stays_responsive():
    with live_server(create_app(hosted())) as server:
        (status, text, seconds), latencies = health_latencies_while(
            server.url, lambda: timed_post(server.url, content=b" " * BIG))
        assert status == 413, text
        assert "67,108,864 bytes" in text
        assert seconds < 2.0, f"the 413 took {seconds:.2f} s"
        assert max(latencies) < 0.5, f"/api/health took up to {max(latencies):.2f} s"


def test_a_64_mb_chunked_body_is_cut_off_at_the_limit_by_a_real_server():
    def chunks():
        piece = b" " * 2**20
        for _ in range(BIG // len(piece)):
            yield piece

    with live_server(create_app(hosted())) as server:
        (status, text, seconds), latencies = health_latencies_while(
            server.url, lambda: timed_post(server.url, content=chunks()))
        assert status == 413, text
        assert "over 8,388,608 bytes" in text
        assert seconds < 5.0, f"the 413 took {seconds:.2f} s"
        assert max(latencies) < 0.5, f"/api/health took up to {max(latencies):.2f} s"
        with httpx.Client(base_url=server.url, timeout=10) as client:  # and the server still answers bodies
            assert client.post("/api/backprop", json=BACKPROP).status_code == 200
