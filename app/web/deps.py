"""Dependencies shared by the routers."""

from typing import Annotated

from fastapi import Depends, Request

from app.settings import Settings
from app.store import ModelStore


# async: FastAPI runs a plain `def` dependency in its thread pool, a hop that cost an async route such as
# predict half its throughput (docs/benchmarks.md); reading an attribute needs no thread.
async def _settings(request: Request) -> Settings:
    return request.app.state.settings


SettingsDep = Annotated[Settings, Depends(_settings)]


async def _store(request: Request) -> ModelStore:  # async: no thread-pool hop (see above)
    return request.app.state.store


StoreDep = Annotated[ModelStore, Depends(_store)]
