"""Dependencies shared by the routers."""

from typing import Annotated

from fastapi import Depends, Request

from app.settings import Settings


def _settings(request: Request) -> Settings:
    return request.app.state.settings


SettingsDep = Annotated[Settings, Depends(_settings)]
