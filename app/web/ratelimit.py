"""A per-client rate limit for the REST API: a token bucket per client address, in this process's memory.

Each client (its IP address as the ASGI server reports it: behind a reverse proxy, uvicorn's proxy headers
make that the real client) has a bucket of `burst` tokens that refills at `per_minute / 60` tokens a second.
A request under /api/ takes a token; with none left, the answer is 429 with `Retry-After` (whole seconds
until a token is back). Pages, static files, the /ws socket and /api/health (what load balancers and
monitors poll) are not counted.

Memory is bounded: at most `max_clients` buckets. A bucket that has refilled completely is the same as no
bucket, so the least recently seen full buckets go first; past the bound the least recently seen go anyway.

Each worker process keeps its own buckets: with `serve --workers N` a client can make up to N times the
limit (docs/deploy.md). A few lines of our own rather than a library: the `limits` package would bring a
storage backend and a background expiry thread for what is one dictionary here.
"""

from __future__ import annotations

import json
import math
import time
from collections import OrderedDict
from typing import Any, Callable

Scope = dict[str, Any]
MAX_CLIENTS = 10_000


class TokenBuckets:
    def __init__(self, per_minute: int, burst: int, *, max_clients: int = MAX_CLIENTS,
                 clock: Callable[[], float] = time.monotonic):
        self.rate = per_minute / 60.0  # tokens per second
        self.burst = max(1, burst)
        self.max_clients = max_clients
        self.clock = clock
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()  # key -> (tokens, as of when)

    def __len__(self) -> int:
        return len(self._buckets)

    def take(self, key: str) -> float:
        """Take a token for `key`: 0.0 when allowed, else the seconds until a token is back."""
        now = self.clock()
        tokens, then = self._buckets.pop(key, (float(self.burst), now))
        tokens = min(float(self.burst), tokens + (now - then) * self.rate)
        if tokens >= 1.0:
            tokens -= 1.0
            wait = 0.0
        else:
            wait = (1.0 - tokens) / self.rate
        self._buckets[key] = (tokens, now)  # most recently seen last
        if len(self._buckets) > self.max_clients:
            self._evict(now)
        return wait

    def _evict(self, now: float) -> None:
        refill_seconds = self.burst / self.rate
        excess = len(self._buckets) - self.max_clients
        # Oldest first: drop the buckets that are full again (nothing is lost by forgetting them).
        for key, (tokens, then) in list(self._buckets.items())[:-1]:
            if excess <= 0 or now - then < refill_seconds:
                break
            del self._buckets[key]
            excess -= 1
        while excess > 0:  # still too many clients at once: forget the least recently seen
            self._buckets.popitem(last=False)
            excess -= 1


def client_address(scope: Scope) -> str:
    """Who a request or socket comes from: its IP address as the ASGI server reports it (behind a trusted proxy,
    uvicorn puts the forwarded client there). The rate limit and the per-client session cap both count by it."""
    client = scope.get("client")
    return client[0] if client else "unknown"


def _route_path(scope: Scope) -> str:
    path, root = scope.get("path", ""), scope.get("root_path", "")
    return path[len(root):] if root and path.startswith(root + "/") else path


class RateLimitMiddleware:
    """ASGI middleware: applies TokenBuckets to HTTP requests whose path starts with `prefix`."""

    def __init__(self, app: Any, *, per_minute: int, burst: int, prefix: str = "/api/",
                 exempt: tuple[str, ...] = ("/api/health",), max_clients: int = MAX_CLIENTS,
                 clock: Callable[[], float] = time.monotonic):
        self.app = app
        self.prefix = prefix
        self.exempt = exempt
        self.per_minute = per_minute
        self.buckets = TokenBuckets(per_minute, burst, max_clients=max_clients, clock=clock)

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        path = _route_path(scope) if scope["type"] == "http" else ""
        if not path.startswith(self.prefix) or path in self.exempt:
            await self.app(scope, receive, send)
            return
        wait = self.buckets.take(client_address(scope))
        if not wait:
            await self.app(scope, receive, send)
            return
        retry_after = max(1, math.ceil(wait))
        body = json.dumps({"detail": f"too many requests: at most {self.per_minute} per minute from one client; "
                                     f"try again in {retry_after} s"}).encode()
        await send({"type": "http.response.start", "status": 429,
                    "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                                (b"retry-after", str(retry_after).encode())]})
        await send({"type": "http.response.body", "body": body})
