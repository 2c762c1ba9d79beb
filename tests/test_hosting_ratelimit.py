"""REST rate limits per client: 429 with Retry-After past the limit, only under /api/, bounded memory."""

from __future__ import annotations

import asyncio

import pytest
from fastapi.testclient import TestClient

from app.web.app import create_app
from app.web.ratelimit import RateLimitMiddleware, TokenBuckets
from lab_settings import make_settings


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def limited_client(per_minute: int = 60, burst: int = 5, client: tuple[str, int] = ("203.0.113.7", 5000)):
    app = create_app(make_settings(database_url="sqlite://", rate_limit=per_minute, rate_limit_burst=burst))
    return TestClient(app, client=client)


# --- the buckets ------------------------------------------------------------------------------------------

def test_a_bucket_allows_the_burst_then_paces_requests_at_the_rate():
    clock = Clock()
    buckets = TokenBuckets(per_minute=60, burst=3, clock=clock)
    assert [buckets.take("a") for _ in range(3)] == [0.0, 0.0, 0.0]
    assert buckets.take("a") == pytest.approx(1.0)  # one token a second: the next is a second away
    clock.now += 0.5
    assert buckets.take("a") == pytest.approx(0.5)
    clock.now += 0.5
    assert buckets.take("a") == 0.0
    clock.now += 100
    assert [buckets.take("a") for _ in range(3)] == [0.0, 0.0, 0.0], "refilled to the burst, not beyond"
    assert buckets.take("a") > 0


def test_clients_have_their_own_buckets():
    buckets = TokenBuckets(per_minute=60, burst=1, clock=Clock())
    assert buckets.take("a") == 0.0 and buckets.take("a") > 0
    assert buckets.take("b") == 0.0


def test_memory_is_bounded_and_an_active_client_keeps_its_count():
    clock = Clock()
    buckets = TokenBuckets(per_minute=60, burst=2, max_clients=100, clock=clock)
    for i in range(1000):
        clock.now += 0.001
        buckets.take(f"client-{i}")
        buckets.take("busy")  # 1000 requests in a second: drained, and must stay so
        assert len(buckets) <= 100
    assert buckets.take("busy") > 0, "evicting idle clients did not let the busy one off"


def test_a_flood_from_new_addresses_stays_within_the_bound():
    buckets = TokenBuckets(per_minute=60, burst=5, max_clients=1000, clock=Clock())
    for i in range(20_000):
        buckets.take(f"10.{i // 65536}.{i // 256 % 256}.{i % 256}")
    assert len(buckets) == 1000


# --- the app ------------------------------------------------------------------------------------------------

def test_past_the_burst_the_api_answers_429_with_retry_after():
    with limited_client(per_minute=60, burst=5) as client:
        statuses = [client.get("/api/datasets").status_code for _ in range(5)]
        assert statuses == [200] * 5
        response = client.get("/api/datasets")
        assert response.status_code == 429
        assert response.headers["content-type"] == "application/json"
        assert int(response.headers["retry-after"]) == 1  # 60 a minute: one a second
        assert "60 per minute" in response.json()["detail"]
        assert response.headers["x-content-type-options"] == "nosniff", "the 429 carries the security headers"


def test_retry_after_is_how_long_until_a_request_is_allowed_again():
    with limited_client(per_minute=2, burst=1) as client:
        assert client.get("/api/datasets").status_code == 200
        response = client.post("/api/backprop", json={})
        assert response.status_code == 429
        assert int(response.headers["retry-after"]) == 30


def test_every_api_method_counts_and_errors_count_too():
    with limited_client(per_minute=60, burst=3) as client:
        assert client.post("/api/backprop", json={}).status_code == 422
        assert client.get("/api/datasets/nope").status_code == 404
        assert client.delete("/api/models/12345").status_code == 404
        assert client.get("/api/datasets").status_code == 429


def test_pages_static_files_docs_health_and_the_socket_are_not_limited():
    """/api/health is what load balancers and monitors poll: a 429 there would take the server out of service."""
    with limited_client(per_minute=60, burst=1) as client:
        assert client.get("/api/datasets").status_code == 200
        assert client.get("/api/datasets").status_code == 429
        for path in ["/", "/static/style.css", "/openapi.json", "/docs", "/static/js/main.js", "/api/health"] * 3:
            assert client.get(path).status_code == 200, path
        with client.websocket_connect("/ws") as ws:
            assert ws.receive_json()["type"] == "hello"


def test_two_clients_are_limited_separately():
    app = create_app(make_settings(database_url="sqlite://", rate_limit=60, rate_limit_burst=1))
    with TestClient(app, client=("198.51.100.1", 1)) as one, TestClient(app, client=("198.51.100.2", 1)) as two:
        assert one.get("/api/datasets").status_code == 200
        assert one.get("/api/datasets").status_code == 429
        assert two.get("/api/datasets").status_code == 200


def test_without_a_rate_limit_nothing_is_counted_and_the_schema_has_no_429():
    app = create_app(make_settings(database_url="sqlite://"))
    assert not any(m.cls is RateLimitMiddleware for m in app.user_middleware)
    with TestClient(app) as client:
        assert all(client.get("/api/datasets").status_code == 200 for _ in range(200))
        paths = client.get("/openapi.json").json()["paths"]
    assert not any("429" in op["responses"] for item in paths.values() for op in item.values())


def test_with_a_rate_limit_every_api_operation_documents_429_and_retry_after():
    with limited_client() as client:
        paths = client.get("/openapi.json").json()["paths"]
    for path, item in paths.items():
        for method, operation in item.items():
            if path == "/api/health":
                assert "429" not in operation["responses"]
                continue
            assert "429" in operation["responses"], (method, path)
            assert "Retry-After" in operation["responses"]["429"]["headers"], (method, path)


def test_the_limit_applies_under_a_root_path_too():
    app = create_app(make_settings(database_url="sqlite://", rate_limit=60, rate_limit_burst=1, root_path="/lab"))
    with TestClient(app) as client:
        assert client.get("/api/datasets").status_code == 200  # as a proxy that strips the prefix sends it
        assert client.get("/lab/api/datasets").status_code == 429  # as one that keeps it
        assert client.get("/lab/static/style.css").status_code == 200


def test_a_request_without_a_client_address_is_counted_under_one_key():
    async def scenario():
        sent: list[dict] = []

        async def app(scope, receive, send):
            await send({"type": "http.response.start", "status": 204, "headers": []})
            await send({"type": "http.response.body", "body": b""})

        async def send(message):
            sent.append(message)

        middleware = RateLimitMiddleware(app, per_minute=60, burst=1)
        scope = {"type": "http", "path": "/api/datasets", "root_path": "", "client": None, "headers": []}
        for _ in range(2):
            await middleware(scope, None, send)
        return [m["status"] for m in sent if m["type"] == "http.response.start"]

    assert asyncio.run(scenario()) == [204, 429]
