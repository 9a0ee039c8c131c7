"""Route dependencies shared by the registry's routers."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from registry.settings import RegistrySettings


def settings(request: Request) -> RegistrySettings:
    s: RegistrySettings = request.app.state.settings
    return s


Settings = Annotated[RegistrySettings, Depends(settings)]
