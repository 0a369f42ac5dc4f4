"""Restricted fields (a representative's ID number and phone) are read only within the reader's
area, or by admins; pages that show them are audited, and their number per hour is bounded."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from hoptac.registry.adapters.tables import audit_log
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
