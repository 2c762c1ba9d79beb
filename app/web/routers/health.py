from fastapi import APIRouter

from app import __version__
from app.web.schemas import Health

router = APIRouter(prefix="/api", tags=["health"])


@router.get("/health", response_model=Health)
async def health() -> Health:
    """The server is up. On the event loop itself (nothing here blocks): it answers when the loop does, with no
    trip to a worker thread."""
    return Health(status="ok", version=__version__)
