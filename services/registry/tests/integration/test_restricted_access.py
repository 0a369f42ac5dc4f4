"""Restricted fields (a representative's ID number and phone) are read only within the reader's
area, or by admins; pages that show them are audited, and their number per hour is bounded."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest
from sqlalchemy import insert, select, text
from sqlalchemy.ext.asyncio import AsyncEngine

from hoptac.platform.testing import wait_until
from hoptac.registry.adapters import restricted_reads as restricted_reads_adapter
from hoptac.registry.adapters.tables import audit_log, restricted_reads
from hoptac.registry.domain.sliding_window import Refusal, SlidingWindow
from hoptac.registry.domain.validation import ReferenceData

from .conftest import Tokens, client_with

pytestmark = pytest.mark.integration

RESTRICTED = ("id_number", "phone")


async def register_in_96(
    client: httpx.AsyncClient, issued: Tokens, make_body: Callable[..., dict[str, Any]], count: int
) -> list[str]:
    ids = []
    for number in range(count):
        body = make_body(registration_number=f"7{number:05d}", name=f"Hợp tác xã Thử {number}")
        response = await client.post(
            "/v1/organizations", json=body, headers=Tokens.header(issued.admin)
        )
        assert response.status_code == 201, response.text
        ids.append(response.json()["id"])
    return ids


def shows_restricted(item: dict[str, Any]) -> bool:
    return any(key in (item.get("legal_representative") or {}) for key in RESTRICTED)


@pytest.mark.parametrize(
    ("reader", "sees"),
    [("admin", True), ("reviewer", True), ("officer_96", True), ("officer_01", False)],
)
async def test_restricted_fields_are_shown_only_within_the_readers_area(
    client: httpx.AsyncClient,
    issued: Tokens,
    make_body: Callable[..., dict[str, Any]],
    reader: str,
    sees: bool,
) -> None:
    (org_id,) = await register_in_96(client, issued, make_body, 1)
    headers = Tokens.header(getattr(issued, reader))
    listed = (await client.get("/v1/organizations?province=96", headers=headers)).json()["items"]
    one = (await client.get(f"/v1/organizations/{org_id}", headers=headers)).json()
    history = (await client.get(f"/v1/organizations/{org_id}/history", headers=headers)).json()
    assert [shows_restricted(item) for item in listed] == [sees]
    assert shows_restricted(one) is sees
    values = {c["field"]: c["after"] for c in history["versions"][0]["changes"]}
    assert (values["legal_representative.id_number"] == "096080001234") is sees


async def test_a_page_showing_restricted_fields_is_audited(
    client: httpx.AsyncClient,
    issued: Tokens,
    make_body: Callable[..., dict[str, Any]],
    engine: AsyncEngine,
) -> None:
    ids = await register_in_96(client, issued, make_body, 2)
    await client.get("/v1/organizations?province=96", headers=Tokens.header(issued.officer_01))
    await client.get("/v1/organizations?province=96", headers=Tokens.header(issued.officer_96))
    async with engine.connect() as conn:
        rows = (
            await conn.execute(
                select(audit_log.c.actor, audit_log.c.diff).where(
                    audit_log.c.action == "organization.read_restricted"
                )
            )
        ).all()
    assert [(row.actor, sorted(row.diff["ids"])) for row in rows] == [("officer_96", sorted(ids))]


@pytest.fixture
async def small_quota_client(
    registry_url: str, reference: ReferenceData
) -> AsyncIterator[httpx.AsyncClient]:
    async with client_with(registry_url, reference, restricted_records_per_hour=3) as http:
        yield http


async def test_bulk_reads_of_restricted_fields_are_bounded(
    small_quota_client: httpx.AsyncClient,
    issued: Tokens,
    make_body: Callable[..., dict[str, Any]],
) -> None:
    await register_in_96(small_quota_client, issued, make_body, 2)
    admin = Tokens.header(issued.admin)
    first = await small_quota_client.get("/v1/organizations", headers=admin)
    again = await small_quota_client.get("/v1/organizations", headers=admin)
    assert first.status_code == 200
    assert again.status_code == 429
    assert again.json()["error"] == "quota_exceeded"
    assert int(again.headers["Retry-After"]) >= 1
    public = await small_quota_client.get("/v1/organizations")
    assert public.status_code == 200  # public fields stay readable


async def test_two_registry_processes_share_one_quota(
    small_quota_client: httpx.AsyncClient,
    registry_url: str,
    reference: ReferenceData,
    issued: Tokens,
    make_body: Callable[..., dict[str, Any]],
    engine: AsyncEngine,
) -> None:
    await register_in_96(small_quota_client, issued, make_body, 2)
    admin = Tokens.header(issued.admin)
    async with client_with(registry_url, reference, restricted_records_per_hour=3) as other:
        first = await small_quota_client.get("/v1/organizations", headers=admin)
        elsewhere = await other.get("/v1/organizations", headers=admin)
    assert first.status_code == 200
    assert elsewhere.status_code == 429  # 2 shown by one app, 2 more would pass 3 in the other
    assert elsewhere.json()["error"] == "quota_exceeded"
    async with engine.connect() as conn:
        counted = (
            await conn.execute(select(restricted_reads.c.caller, restricted_reads.c.records))
        ).all()
    assert [tuple(row) for row in counted] == [("admin", 2)]


async def test_windows_older_than_the_previous_one_are_deleted(
    small_quota_client: httpx.AsyncClient,
    issued: Tokens,
    make_body: Callable[..., dict[str, Any]],
    engine: AsyncEngine,
) -> None:
    await register_in_96(small_quota_client, issued, make_body, 1)
    async with engine.begin() as conn:
        await conn.execute(
            insert(restricted_reads),
            [{"window_number": number, "caller": "gone", "records": 1} for number in (1, 2)],
        )
    answer = await small_quota_client.get("/v1/organizations", headers=Tokens.header(issued.admin))
    assert answer.status_code == 200
    async with engine.connect() as conn:
        callers = (await conn.execute(select(restricted_reads.c.caller))).scalars().all()
    assert callers == ["admin"]


async def test_spendings_of_one_caller_take_turns_across_connections(engine: AsyncEngine) -> None:
    """Two processes spending at once: the second waits for the first's commit and then sees
    what it spent, so together they cannot pass the quota."""
    window = SlidingWindow(limit=3, seconds=3600)

    async def spend_alone(records: int) -> Refusal | None:
        async with engine.begin() as conn:
            return await restricted_reads_adapter.spend(conn, window, "admin", records)

    async with engine.connect() as first:
        await first.begin()
        assert await restricted_reads_adapter.spend(first, window, "admin", 2) is None
        second = asyncio.create_task(spend_alone(2))
        async with engine.connect() as watch:

            async def waiting() -> bool:
                count = await watch.scalar(text("SELECT count(*) FROM pg_locks WHERE NOT granted"))
                return bool(count)

            await wait_until(waiting, message="the second spending to wait for the first")
        await first.commit()
    assert await second is not None
