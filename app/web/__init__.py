"""The web layer: FastAPI routers over the engine; every body and message is a pydantic model."""
