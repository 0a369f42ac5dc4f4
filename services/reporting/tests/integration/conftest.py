"""The service over the migrated database (../conftest.py), and the app over ASGI."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from hoptac.reporting.adapters.event_mapping import from_envelope
from hoptac.reporting.bootstrap import build_reporting
from hoptac.reporting.entrypoints.http.app import create_app
from hoptac.reporting.handlers import Reporting
from hoptac.reporting.settings import ReportingSettings

from ..histories import TODAY


@pytest.fixture
def settings(database_url: str) -> ReportingSettings:
    return ReportingSettings(database_url=database_url, consume=False)


@pytest.fixture
async def reporting(settings: ReportingSettings) -> AsyncIterator[Reporting]:
    service = build_reporting(settings, today=lambda: TODAY)
    yield service
    await service.close()


@pytest.fixture
async def client(
    settings: ReportingSettings, reporting: Reporting
) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=create_app(settings, reporting))
    async with httpx.AsyncClient(transport=transport, base_url="http://reporting") as http:
        yield http


async def load(reporting: Reporting, envelopes: list[dict[str, Any]]) -> None:
    await reporting.apply([from_envelope(envelope) for envelope in envelopes])
