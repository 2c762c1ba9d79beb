"""The /ws endpoint: one connection, one live session."""

from fastapi import APIRouter, WebSocket

from app.web.live import LiveSession
from app.web.ratelimit import client_address
from app.web.security import CLOSE_POLICY, origin_allowed

router = APIRouter()

CLOSE_TRY_AGAIN_LATER = 1013


@router.websocket("/ws")
async def live(websocket: WebSocket) -> None:
    settings = websocket.app.state.settings
    registry = websocket.app.state.sessions
    if not origin_allowed(websocket.headers, settings.allowed_origins):  # CORS does not cover WebSockets
        await websocket.close(CLOSE_POLICY, "this origin may not open a session")
        return
    await websocket.accept()
    client = client_address(websocket.scope)
    refusal = registry.refusal(client, settings.max_sessions, settings.max_sessions_per_client)
    if refusal:
        await websocket.close(CLOSE_TRY_AGAIN_LATER, refusal)
        return
    session = LiveSession(websocket, settings, websocket.app.state.store)
    registry.sessions[session] = client
    try:
        await session.run()
    finally:
        registry.sessions.pop(session, None)
