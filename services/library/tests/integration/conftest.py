"""The library app over ASGI on a migrated PostgreSQL and a real NATS, tokens known in advance."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI

from hoptac.library.adapters.migrations import migrate_async
from hoptac.library.adapters.register_rules import StaticRules
from hoptac.library.entrypoints.http.app import create_app
from hoptac.library.settings import LibrarySettings
from hoptac.platform.identity import Caller, StaticIdentity

REVIEWER = "token-nguoi-duyet"
OFFICER = "token-can-bo-xa"
CALLERS = {
    REVIEWER: Caller("Nguyễn Thị Duyệt", "reviewer"),
    OFFICER: Caller("Trần Văn Xã", "area_officer", provinces=("96",)),
}


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


LAW = {
    "number": "17/2023/QH15",
    "title": "Luật Hợp tác xã",
    "type": "law",
    "issuer": "Quốc hội",
    "signed_on": "2023-06-20",
    "in_force_from": "2024-07-01",
    "status": "in_force",
    "replaces": ["23/2012/QH13"],
    "kinds": ["cooperative"],
    "topics": ["organisation"],
}


# The registry's rules as its GET /v1/reference/legal-basis lists them, in part.
LEGAL_BASIS = {
    "statuses": [
        {"status": "suspended", "rule": "status.suspended", "basis": [{"number": "92/2024/NĐ-CP"}]},
        {"status": "dissolved", "rule": "status.dissolved", "basis": [{"number": "17/2023/QH15"}]},
        {"status": "bankrupt", "rule": "status.bankrupt", "basis": [{"number": "17/2023/QH15"}]},
    ],
    "required_fields": [
        {"field": "name", "rule": "field.name", "basis": [{"number": "17/2023/qh15"}]},
    ],
}


def make_settings(database_url: str, nats_url: str, **overrides: object) -> LibrarySettings:
    defaults: dict[str, object] = {
        "relay_poll_seconds": 0.05,
        "max_file_bytes": 200_000,
        "load_starting_set": False,
    }
    return LibrarySettings(
        database_url=database_url,
        nats_url=nats_url,
        **{**defaults, **overrides},  # type: ignore[arg-type]
    )


@pytest.fixture
async def database_url(fresh_database: str) -> str:
    await migrate_async(fresh_database)
    return fresh_database


@pytest.fixture
def app(database_url: str, nats_url: str) -> FastAPI:
    return create_app(
        make_settings(database_url, nats_url),
        identity=StaticIdentity(CALLERS),
        rules=StaticRules(LEGAL_BASIS),
    )


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://library") as client:
            yield client
