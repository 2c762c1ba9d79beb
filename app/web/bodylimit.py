"""A cap on the size of HTTP request bodies, applied before anything reads them.

FastAPI parses a JSON body in full (on the event loop) before any limit in the body, such as MAX_EXAMPLES, can be
checked: a 32 MB body held up every other request for seconds, and 128 MB took gigabytes. This middleware answers
413 instead, before the app sees the body: at once when Content-Length is over the limit (nothing is read), and for
a body without Content-Length (chunked) as soon as the bytes received pass the limit. The app then sees the client
as gone, and anything it still tries to send is dropped. WebSockets are not touched: their messages have
MAX_MESSAGE_BYTES.

The 413 closes the connection (`Connection: close`), so a client that keeps sending is not read any further.
"""

from __future__ import annotations

from typing import Any

from app.web.errors import StrictJSONResponse

Scope = dict[str, Any]

TOO_LARGE = {
    "description": "the request body is larger than BACKPROP_LAB_MAX_BODY_BYTES; refused before it is read",
    "content": {"application/json": {"schema": {"type": "object", "properties": {"detail": {"type": "string"}}}}},
}


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None  # the server refuses a malformed length itself; the streamed count still applies
    return None


class BodyLimitMiddleware:
    """ASGI middleware: HTTP request bodies over `max_bytes` get a 413 in the API's error style."""

    def __init__(self, app: Any, *, max_bytes: int):
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _content_length(scope)
        if declared is not None and declared > self.max_bytes:
            await self._refuse(scope, receive, send, f"the request body is {declared:,} bytes")
            return

        received = 0
        refused = False
        response_started = False

        async def counting_receive() -> dict:
            nonlocal received, refused
            if refused:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    refused = True
                    if not response_started:
                        await self._refuse(scope, receive, send, f"the request body is over {self.max_bytes:,} "
                                                                 f"bytes ({received:,} received so far)")
                    return {"type": "http.disconnect"}  # the app stops reading, as for a client that left
            return message

        async def guarded_send(message: dict) -> None:
            nonlocal response_started
            if refused:
                return  # the 413 is the answer; whatever the app makes of the "disconnect" is not sent
            if message["type"] == "http.response.start":
                response_started = True
            await send(message)

        await self.app(scope, counting_receive, guarded_send)

    async def _refuse(self, scope: Scope, receive: Any, send: Any, what: str) -> None:
        response = StrictJSONResponse({"detail": f"{what}; at most {self.max_bytes:,} bytes are allowed "
                                                 "(BACKPROP_LAB_MAX_BODY_BYTES)"},
                                      status_code=413, headers={"connection": "close"})
        await response(scope, receive, send)
