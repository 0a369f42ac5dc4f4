"""A migrated registry database on the session's real PostgreSQL, the app over ASGI, and tokens."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from hoptac.registry.adapters import tokens
from hoptac.registry.adapters.migrations import migrate_async
from hoptac.registry.adapters.repository import WriteContext
from hoptac.registry.bootstrap import build_registry
from hoptac.registry.domain.access import Role
from hoptac.registry.domain.validation import ReferenceData
from hoptac.registry.entrypoints.http.app import create_app
from hoptac.registry.handlers import Registry
from hoptac.registry.settings import RegistrySettings


@dataclass(frozen=True)
class Tokens:
    admin: str
    reviewer: str
    officer_96: str  # area officer for Cà Mau
    officer_01: str  # area officer for Hà Nội
    agency: str

    @staticmethod
    def header(token: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {token}"}


@pytest.fixture
async def registry_url(fresh_database: str) -> str:
    await migrate_async(fresh_database)
    return fresh_database


@pytest.fixture
async def engine(registry_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_async_engine(registry_url)
    yield engine
    await engine.dispose()


@pytest.fixture
async def issued(engine: AsyncEngine) -> Tokens:
    context = WriteContext("test", "pytest", None)
    async with engine.begin() as conn:
        made = {
            name: await tokens.create_token(conn, name, role, provinces, [], context)
            for name, role, provinces in (
                ("admin", Role.ADMIN, []),
                ("reviewer", Role.REVIEWER, []),
                ("officer_96", Role.AREA_OFFICER, ["96"]),
                ("officer_01", Role.AREA_OFFICER, ["01"]),
                ("agency", Role.AGENCY_READER, []),
            )
        }
    return Tokens(**made)


@pytest.fixture
async def registry(registry_url: str, reference: ReferenceData) -> AsyncIterator[Registry]:
    service = build_registry(RegistrySettings(database_url=registry_url), reference=reference)
    yield service
    await service.engine.dispose()


@pytest.fixture
def transport(registry_url: str, registry: Registry) -> httpx.ASGITransport:
    """The registry app served in-process: HTTP semantics without a socket."""
    settings = RegistrySettings(database_url=registry_url, max_body_bytes=200_000)
    return httpx.ASGITransport(app=create_app(settings, registry))


@pytest.fixture
async def client(transport: httpx.ASGITransport) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(transport=transport, base_url="http://registry") as http:
        yield http


@contextlib.asynccontextmanager
async def client_with(
    registry_url: str, reference: ReferenceData, **settings: Any
) -> AsyncIterator[httpx.AsyncClient]:
    """A client of a registry app made with other settings than the default ones."""
    configured = RegistrySettings(database_url=registry_url, **settings)
    service = build_registry(configured, reference=reference)
    transport = httpx.ASGITransport(app=create_app(configured, service))
    async with httpx.AsyncClient(transport=transport, base_url="http://registry") as http:
        yield http
    await service.engine.dispose()
