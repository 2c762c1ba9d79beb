"""The /ws endpoint: one connection, one live session."""

from fastapi import APIRouter, WebSocket

from app.web.live import LiveSession

router = APIRouter()

CLOSE_TRY_AGAIN_LATER = 1013


@router.websocket("/ws")
async def live(websocket: WebSocket) -> None:
    settings = websocket.app.state.settings
    registry = websocket.app.state.sessions
    await websocket.accept()
    if len(registry.sessions) >= settings.max_sessions:
        await websocket.close(CLOSE_TRY_AGAIN_LATER, "the server is full; try again in a few minutes")
        return
    session = LiveSession(websocket, settings)
    registry.sessions.add(session)
    try:
        await session.run()
    finally:
        registry.sessions.discard(session)
