"""Dependencies shared by the routers."""

from typing import Annotated

from fastapi import Depends, Request

from app.settings import Settings


# async: FastAPI runs a plain `def` dependency in its thread pool, a hop that cost an async route such as
# predict half its throughput (docs/benchmarks.md); reading an attribute needs no thread.
async def _settings(request: Request) -> Settings:
    return request.app.state.settings


SettingsDep = Annotated[Settings, Depends(_settings)]
