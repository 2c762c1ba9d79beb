"""Security headers on every HTTP response: a Content-Security-Policy without inline script, and friends.

The dashboard loads only its own files (static/, the vendored uPlot and KaTeX under /vendor/) and talks to
its own /ws, so the policy allows 'self' and nothing else: no inline <script>, no event-handler attributes,
no eval, no inline style attributes or <style> elements. uPlot and KaTeX set styles through the DOM
(element.style), which a policy does not restrict; tests/test_hosting_browser.py loads the dashboard in
Chromium under this policy and requires zero violations. `img-src data: blob:` is for images the page makes
itself (chart PNGs). No other site may show the page in a frame unless BACKPROP_LAB_FRAME_ANCESTORS lists it (a
course page embedding the lab).
The API reference at /docs is held to the same policy: Swagger UI comes from npm like the dashboard's libraries
and is started by a module of static/js, not an inline script.

Two checks stop other sites from using a learner's browser against the server (SiteCheckMiddleware):
- Host: a DNS-rebinding page (evil.example resolving to 127.0.0.1) reaches the server with its own name in `Host`;
  only loopback names, the address the request reached the server at, and `allowed_hosts` are answered.
- Writes: a POST, PUT, PATCH or DELETE whose `Origin` is another site is refused (403): a form or fetch from any
  page could otherwise save, import or delete models. Requests without `Origin` (curl, the CLI) are not from a
  browser page and pass. The /ws handshake has the same Origin check (`origin_allowed`).
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlsplit

from starlette.datastructures import Headers

Scope = dict[str, Any]



def csp(frame_ancestors: list[str]) -> str:
    """The policy; `frame_ancestors`: the origins that may frame the page (Settings.frame_ancestors), or none."""
    ancestors = " ".join(frame_ancestors) or "'none'"
    return "; ".join([
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data: blob:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        f"frame-ancestors {ancestors}",
    ])


CSP = csp([])
HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"cross-origin-opener-policy", b"same-origin"),
]
# frame-ancestors for browsers that predate it; it can only say DENY or SAMEORIGIN, so a list of sites drops it.
DENY_FRAMING = (b"x-frame-options", b"DENY")


class SecurityHeadersMiddleware:
    """ASGI middleware adding the headers above to every HTTP response (headers the app set itself win)."""

    def __init__(self, app: Any, *, frame_ancestors: list[str] | None = None):
        self.app = app
        frame_ancestors = frame_ancestors or []
        self.extra = [(b"content-security-policy", csp(frame_ancestors).encode()), *HEADERS,
                      *([] if frame_ancestors else [DENY_FRAMING])]

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        extra = self.extra

        async def send_with_headers(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                headers.extend((name, value) for name, value in extra if name not in present)
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


LOOPBACK_HOSTS = {"localhost", "127.0.0.1", "::1"}
UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
CLOSE_POLICY = 1008  # a socket closed before accept(): the client sees HTTP 403
_DETAIL = {"application/json": {"schema": {"type": "object", "properties": {"detail": {"type": "string"}}}}}
# SiteCheckMiddleware's answers, as app.py lists them in the OpenAPI schema: 400 on every path, 403 on writes.
HOST_REFUSED = {"description": "the Host header names a host this server does not answer to (not loopback, not "
                               "the address reached, not in BACKPROP_LAB_ALLOWED_HOSTS)", "content": _DETAIL}
CROSS_SITE_WRITE = {"description": "a write from another site's page: its Origin is neither this host nor in "
                                   "BACKPROP_LAB_ALLOWED_ORIGINS", "content": _DETAIL}


def host_name(host: str | None) -> str | None:
    """The name in a Host header, without its port ("[::1]:8000" -> "::1"); None when it is not a host."""
    try:
        parts = urlsplit(f"//{host}")
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError:  # a malformed port or bracket
        return None
    return parts.hostname or None


def host_allowed(scope: Scope, allowed_hosts: list[str]) -> bool:
    name = host_name(Headers(scope=scope).get("host"))
    if name is None:
        return False
    server = scope.get("server")
    return ("*" in allowed_hosts or name in LOOPBACK_HOSTS or (server is not None and name == server[0].lower())
            or name in (h.lower() for h in allowed_hosts))


def origin_allowed(headers: Headers, allowed_origins: list[str]) -> bool:
    """Same host, or an exact entry of the allow-list (a prefix match would let lab.example.org.evil.com in).
    No Origin: not a browser page (a browser always sends it on a socket handshake and a cross-site write)."""
    origin = headers.get("origin")
    if origin is None:
        return headers.get("sec-fetch-site") != "cross-site"
    return origin in allowed_origins or urlsplit(origin).netloc == headers.get("host")


class SiteCheckMiddleware:
    """ASGI middleware: the Host check on every request and socket, and the Origin check on writes (see above)."""

    def __init__(self, app: Any, *, allowed_hosts: list[str], allowed_origins: list[str]):
        self.app, self.allowed_hosts, self.allowed_origins = app, allowed_hosts, allowed_origins

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        if not host_allowed(scope, self.allowed_hosts):
            name = host_name(Headers(scope=scope).get("host"))
            await self._refuse(scope, send, 400, f"this server does not answer to the host {name!r}: "
                                                 "if it is yours, add it to BACKPROP_LAB_ALLOWED_HOSTS")
            return
        if (scope["type"] == "http" and scope["method"] in UNSAFE_METHODS
                and not origin_allowed(Headers(scope=scope), self.allowed_origins)):
            await self._refuse(scope, send, 403, "a page from another site may not change anything here: send this "
                                                 "request from the lab's own pages, or without an Origin header")
            return
        await self.app(scope, receive, send)

    @staticmethod
    async def _refuse(scope: Scope, send: Any, status: int, detail: str) -> None:
        if scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": CLOSE_POLICY, "reason": ""})
            return
        body = json.dumps({"detail": detail}).encode()
        await send({"type": "http.response.start", "status": status,
                    "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})
