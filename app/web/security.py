"""Security headers on every HTTP response: a Content-Security-Policy without inline script, and friends.

The dashboard loads only its own files (static/, the vendored uPlot and KaTeX under /vendor/) and talks to
its own /ws, so the policy allows 'self' and nothing else: no inline <script>, no event-handler attributes,
no eval, no inline style attributes or <style> elements. uPlot and KaTeX set styles through the DOM
(element.style), which a policy does not restrict; tests/test_hosting_browser.py loads the dashboard in
Chromium under this policy and requires zero violations. `img-src data: blob:` is for images the page makes
itself (chart PNGs).
The API reference at /docs is held to the same policy: Swagger UI comes from npm like the dashboard's libraries
and is started by a module of static/js, not an inline script.
"""

from __future__ import annotations

from typing import Any

Scope = dict[str, Any]

CSP = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])
HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"x-frame-options", b"DENY"),  # frame-ancestors for browsers that predate it
    (b"cross-origin-opener-policy", b"same-origin"),
]


class SecurityHeadersMiddleware:
    """ASGI middleware adding the headers above to every HTTP response (headers the app set itself win)."""

    def __init__(self, app: Any):
        self.app = app

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        extra = [(b"content-security-policy", CSP.encode()), *HEADERS]

        async def send_with_headers(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                headers.extend((name, value) for name, value in extra if name not in present)
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)
