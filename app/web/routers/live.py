"""The /ws endpoint: one connection, one live session."""

from urllib.parse import urlsplit

from fastapi import APIRouter, WebSocket

from app.settings import Settings
from app.web.live import LiveSession

router = APIRouter()

CLOSE_POLICY = 1008  # before accept(), the client sees HTTP 403
CLOSE_TRY_AGAIN_LATER = 1013


def origin_allowed(websocket: WebSocket, settings: Settings) -> bool:
    """Same host, or an exact entry of the allow-list. CORS middleware does not cover WebSockets."""
    origin = websocket.headers.get("origin")
    if origin is None:
        return True  # not a browser: a browser always sends Origin on a WebSocket handshake
    if origin in settings.allowed_origins:
        return True
    return urlsplit(origin).netloc == websocket.headers.get("host")


@router.websocket("/ws")
async def live(websocket: WebSocket) -> None:
    settings = websocket.app.state.settings
    registry = websocket.app.state.sessions
    if not origin_allowed(websocket, settings):
        await websocket.close(CLOSE_POLICY, "this origin may not open a session")
        return
    await websocket.accept()
    if len(registry.sessions) >= settings.max_sessions:
        await websocket.close(CLOSE_TRY_AGAIN_LATER, "the server is full; try again in a few minutes")
        return
    session = LiveSession(websocket, settings, websocket.app.state.store)
    registry.sessions.add(session)
    try:
        await session.run()
    finally:
        registry.sessions.discard(session)
