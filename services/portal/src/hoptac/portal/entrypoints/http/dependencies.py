"""What every route reads from the app: the page renderer and the backends.

Async on purpose: FastAPI runs a plain function dependency in a worker thread, and handing
every page's three lookups to a thread and back cost about a tenth of a page's CPU."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from hoptac.portal.adapters.backends import Backends
from hoptac.portal.entrypoints.http.rendering import Pages
from hoptac.portal.settings import PortalSettings


async def pages_of(request: Request) -> Pages:
    pages: Pages = request.app.state.pages
    return pages


async def backends_of(request: Request) -> Backends:
    backends: Backends = request.app.state.backends
    return backends


async def settings_of(request: Request) -> PortalSettings:
    settings: PortalSettings = request.app.state.settings
    return settings


PagesDep = Annotated[Pages, Depends(pages_of)]
BackendsDep = Annotated[Backends, Depends(backends_of)]
SettingsDep = Annotated[PortalSettings, Depends(settings_of)]
