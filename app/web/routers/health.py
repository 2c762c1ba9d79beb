from fastapi import APIRouter

from app import __version__
from app.web.schemas import Health

router = APIRouter(prefix="/api", tags=["health"])


@router.get("/health", response_model=Health)
def health() -> Health:
    """The server is up."""
    return Health(status="ok", version=__version__)
