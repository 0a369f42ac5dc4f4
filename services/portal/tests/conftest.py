"""The portal app on fake backends, reached in process."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date

import httpx
import pytest

from hoptac.portal.entrypoints.http.app import create_app
from hoptac.portal.settings import PortalSettings

from .fakes import FakeServices


@pytest.fixture
def services() -> FakeServices:
    return FakeServices()


@pytest.fixture
async def portal(services: FakeServices) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(
        PortalSettings(),
        services.backends(),
        today=lambda: date(2026, 1, 15),
        library=services.library(),
    )
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://portal") as client:
        yield client
