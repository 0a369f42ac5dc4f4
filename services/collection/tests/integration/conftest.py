"""Collection against a real registry: both apps in process over ASGI, each on its own real
PostgreSQL database, with registry tokens for every role."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from hoptac.collection.adapters.migrations import migrate_async
from hoptac.collection.adapters.registry import RegistryClient
from hoptac.collection.bootstrap import build_collection
from hoptac.collection.entrypoints.http.app import create_app
from hoptac.collection.settings import CollectionSettings
from hoptac.platform.embedded.postgres import EmbeddedPostgres
from hoptac.platform.identity import RegistryIdentity
from hoptac.registry.adapters import tokens
from hoptac.registry.adapters.migrations import migrate_async as migrate_registry
from hoptac.registry.adapters.repository import WriteContext
from hoptac.registry.bootstrap import build_registry, reference_data
from hoptac.registry.domain.access import Role
from hoptac.registry.domain.validation import ReferenceData
from hoptac.registry.entrypoints.http.app import create_app as create_registry_app
from hoptac.registry.settings import RegistrySettings


@dataclass(frozen=True)
class Tokens:
    admin: str
    reviewer: str
    second_reviewer: str
    officer_96: str  # area officer for Cà Mau
    officer_01: str  # area officer for Hà Nội
    agency: str


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture(scope="session")
def reference() -> ReferenceData:
    return reference_data()


@pytest.fixture
async def registry_transport(
    fresh_database: str, reference: ReferenceData
) -> AsyncIterator[httpx.ASGITransport]:
    await migrate_registry(fresh_database)
    registry = build_registry(RegistrySettings(database_url=fresh_database), reference=reference)
    app = create_registry_app(RegistrySettings(database_url=fresh_database), registry)
    yield httpx.ASGITransport(app=app)
    await registry.engine.dispose()


@pytest.fixture
async def issued(registry_transport: httpx.ASGITransport) -> Tokens:
    app = registry_transport.app
    engine = app.state.registry.engine  # type: ignore[attr-defined]
    context = WriteContext("test", "pytest", None)
    async with engine.begin() as conn:
        made = {
            name: await tokens.create_token(conn, name, role, provinces, [], context)
            for name, role, provinces in (
                ("admin", Role.ADMIN, []),
                ("reviewer", Role.REVIEWER, []),
                ("second_reviewer", Role.REVIEWER, []),
                ("officer_96", Role.AREA_OFFICER, ["96"]),
                ("officer_01", Role.AREA_OFFICER, ["01"]),
                ("agency", Role.AGENCY_READER, []),
            )
        }
    return Tokens(**made)


@pytest.fixture
async def registry(registry_transport: httpx.ASGITransport) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(transport=registry_transport, base_url="http://registry") as http:
        yield http


@pytest.fixture
async def collection_url(pg_server: EmbeddedPostgres) -> AsyncIterator[str]:
    name = f"collection_{uuid.uuid4().hex[:12]}"
    url = pg_server.create_database(name)
    await migrate_async(url)
    yield url
    pg_server.drop_database(name)


@pytest.fixture
async def client(
    collection_url: str, registry_transport: httpx.ASGITransport
) -> AsyncIterator[httpx.AsyncClient]:
    async with limited_client(collection_url, registry_transport) as http:
        yield http


@contextlib.asynccontextmanager
async def limited_client(
    collection_url: str, registry_transport: httpx.ASGITransport, **limits: Any
) -> AsyncIterator[httpx.AsyncClient]:
    """A client of a collection app with other limits than the default ones."""
    settings = CollectionSettings(
        database_url=collection_url, registry_url="http://registry", **limits
    )
    service = build_collection(
        settings,
        identity=RegistryIdentity("http://registry", cache_seconds=0, transport=registry_transport),
        registry=RegistryClient("http://registry", 500, transport=registry_transport),
    )
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=create_app(settings, service)),
        base_url="http://collection",
    ) as http:
        yield http
    await service.registry.close()
    await service.identity.close()
    await service.engine.dispose()
