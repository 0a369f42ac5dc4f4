"""Collection end to end: the registry and its relay, search and reporting consuming JetStream,
and collection, each its own process. A filled template is checked, imported, submitted and
approved by a second person; the approved rows, and only they, become searchable and counted."""

from __future__ import annotations

import contextlib
import csv
import io
import os
from collections.abc import AsyncIterator, Mapping
from pathlib import Path

import httpx
import pytest
from sqlalchemy.ext.asyncio import create_async_engine

from hoptac.collection.adapters.migrations import migrate_async
from hoptac.platform.embedded.ports import free_port
from hoptac.platform.embedded.postgres import EmbeddedPostgres
from hoptac.platform.testing import wait_until
from hoptac.registry.adapters import tokens
from hoptac.registry.adapters.repository import WriteContext
from hoptac.registry.domain.access import Role

from .conftest import Process, RegistryStack, ReportingStack, uvicorn_command, wait_ready

pytestmark = pytest.mark.e2e

ROWS = [
    ["registration_number", "name", "kind", "registered_on", "address.province_code",
     "address.commune_code", "sector.group", "members_count"],
    ["6001077001", "Hợp tác xã Nuôi ong Đất Mũi", "Hợp tác xã", "02/01/2020", "96", "31825",
     "agriculture", "30"],
    ["6001077002", "Hợp tác xã Vận tải Sông Đốc", "cooperative", "15/06/2021", "96", "31825",
     "transport", "1.200"],
    ["6001077003", "Hợp tác xã Không hợp lệ", "Công ty", "15/06/2021", "96", "31825",
     "transport", "12"],
]  # fmt: skip


def as_csv() -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(ROWS)
    return buffer.getvalue().encode()


@pytest.fixture
async def collection(
    registry_stack: RegistryStack, pg_server: EmbeddedPostgres, tmp_path: Path
) -> AsyncIterator[str]:
    async with collection_serving(registry_stack, pg_server, tmp_path) as url:
        yield url


@contextlib.asynccontextmanager
async def collection_serving(
    registry_stack: RegistryStack,
    pg_server: EmbeddedPostgres,
    tmp_path: Path,
    settings: Mapping[str, str] | None = None,
) -> AsyncIterator[str]:
    """Collection as its own process on its own database, following the registry's events;
    `settings` adds HOPTAC_COLLECTION_* variables (such as its notifications URL)."""
    database_url = pg_server.create_database(f"test_collection_{free_port()}")
    await migrate_async(database_url)
    port = free_port()
    env = {
        **os.environ,
        "HOPTAC_COLLECTION_DATABASE_URL": database_url,
        "HOPTAC_COLLECTION_REGISTRY_URL": registry_stack.url,
        "HOPTAC_COLLECTION_PORT": str(port),
        "HOPTAC_COLLECTION_NATS_URL": registry_stack.nats_url,
        "HOPTAC_COLLECTION_VAR_DIR": str(tmp_path),
        **(settings or {}),
    }
    command = uvicorn_command("hoptac.collection.entrypoints.http.app:create_app", port)
    process = Process("collection", command, env, tmp_path / "collection.log")
    process.start()
    url = f"http://127.0.0.1:{port}"
    try:
        await wait_ready(url, process)
        yield url
    finally:
        process.stop()


async def reviewer_token(database_url: str) -> str:
    engine = create_async_engine(database_url)
    async with engine.begin() as conn:
        token = await tokens.create_token(
            conn, "e2e-reviewer", Role.REVIEWER, [], [], WriteContext("e2e", "pytest", None)
        )
    await engine.dispose()
    return token


async def test_approved_rows_of_an_import_become_searchable_and_counted(
    registry_stack: RegistryStack,
    search_url: tuple[str, dict[str, str]],
    reporting_stack: ReportingStack,
    collection: str,
) -> None:
    admin = registry_stack.headers
    reviewer = {"Authorization": f"Bearer {await reviewer_token(registry_stack.database_url)}"}
    upload = {"file": ("khao-sat.csv", as_csv())}
    async with httpx.AsyncClient(base_url=collection, timeout=60) as http:
        dry = (await http.post("/v1/imports?dry_run=true", files=upload, headers=admin)).json()
        imported = (await http.post("/v1/imports", files=upload, headers=admin)).json()
        listed = await http.get(f"/v1/proposals?batch={imported['batch_id']}", headers=admin)
        ids = {"ids": [proposal["id"] for proposal in listed.json()]}
        await http.post("/v1/proposals/submit", json=ids, headers=admin)
        approved = (await http.post("/v1/proposals/approve", json=ids, headers=reviewer)).json()

    assert [(p["row"], p["code"]) for p in dry["problems"]] == [(4, "unknown_code")]
    assert imported["proposals_added"] == 2
    assert [p["state"] for p in approved] == ["applied", "applied"]
    async with (
        httpx.AsyncClient(base_url=search_url[0]) as search,
        httpx.AsyncClient(base_url=reporting_stack.url) as reporting,
    ):

        async def searchable() -> bool:
            found = (await search.get("/v1/search", params={"q": "nuoi ong dat mui"})).json()
            return any(item["name"] == "Hợp tác xã Nuôi ong Đất Mũi" for item in found["items"])

        async def counted() -> bool:
            totals = (await reporting.get("/v1/stats", params={"province": "96"})).json()["totals"]
            return totals["organizations"] == 2 and totals["members"] == 1230

        await wait_until(searchable, timeout=30, message="the approved row searchable")
        await wait_until(counted, timeout=30, message="the approved rows counted")
