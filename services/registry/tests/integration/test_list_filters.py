"""GET /v1/organizations: several values per filter, a misspelt parameter named, a cursor that
belongs to its filters, and communes found by their pre-2025 code too."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest

from .conftest import Tokens

pytestmark = pytest.mark.integration


async def register(client: httpx.AsyncClient, token: str, body: dict[str, Any]) -> str:
    answer = await client.post("/v1/organizations", json=body, headers=Tokens.header(token))
    assert answer.status_code == 201, answer.text
    return str(answer.json()["id"])


@pytest.fixture
async def three(
    client: httpx.AsyncClient, issued: Tokens, make_body: Callable[..., dict[str, Any]]
) -> dict[str, str]:
    ids = {}
    for number, status in enumerate(("operating", "dissolved", "bankrupt")):
        body = make_body(registration_number=f"5{number:05d}", name=f"Hợp tác xã Lọc {number}")
        ids[status] = await register(client, issued.admin, body)
        if status != "operating":
            answer = await client.post(
                f"/v1/organizations/{ids[status]}/status",
                json={"status": status, "reason": "Đại hội thành viên quyết định"},
                headers=Tokens.header(issued.admin),
            )
            assert answer.status_code == 200, answer.text
    return ids


@pytest.mark.parametrize("query", ["status=dissolved,bankrupt", "status=dissolved&status=bankrupt"])
async def test_a_filter_takes_several_values(
    client: httpx.AsyncClient, three: dict[str, str], query: str
) -> None:
    answer = await client.get(f"/v1/organizations?{query}")
    assert answer.status_code == 200, answer.text
    assert {item["id"] for item in answer.json()["items"]} == {
        three["dissolved"],
        three["bankrupt"],
    }


async def test_an_unknown_parameter_is_named(client: httpx.AsyncClient) -> None:
    answer = await client.get("/v1/organizations?provnce=96")
    assert answer.status_code == 422
    assert [e["field"] for e in answer.json()["errors"]] == ["query.provnce"]


async def test_a_value_outside_its_codes_is_named(client: httpx.AsyncClient) -> None:
    answer = await client.get("/v1/organizations?status=operating,closed")
    assert answer.status_code == 422
    assert answer.json()["errors"][0]["field"].startswith("query.status")


async def test_a_cursor_serves_only_the_filters_it_was_made_with(
    client: httpx.AsyncClient, three: dict[str, str]
) -> None:
    first = await client.get("/v1/organizations?status=dissolved,bankrupt&limit=1")
    cursor = first.json()["next_cursor"]
    assert cursor is not None
    same = await client.get(f"/v1/organizations?status=bankrupt,dissolved&limit=1&cursor={cursor}")
    other = await client.get(f"/v1/organizations?status=operating&limit=1&cursor={cursor}")
    assert same.status_code == 200
    assert other.status_code == 422
    assert "other filters" in other.json()["message"]


async def test_a_commune_matches_its_pre_2025_code_too(
    client: httpx.AsyncClient, issued: Tokens, make_body: Callable[..., dict[str, Any]]
) -> None:
    address = {"province_code": "96", "legacy": {"province_code": "95", "commune_code": "31813"}}
    org_id = await register(client, issued.admin, make_body(address=address))
    for query in ("commune=31813", "legacy_commune=31813", "commune=31825"):
        answer = await client.get(f"/v1/organizations?{query}")
        assert [item["id"] for item in answer.json()["items"]] == [org_id], query
    assert (await client.get("/v1/organizations?legacy_commune=31825")).json()["items"] == []


async def test_records_due_for_verification_are_those_verified_before_the_day_or_never(
    client: httpx.AsyncClient, issued: Tokens, make_body: Callable[..., dict[str, Any]]
) -> None:
    old = await register(client, issued.admin, make_body(registration_number="71", name="HTX Cũ"))
    never = make_body(registration_number="72", name="HTX Chưa xác minh")
    del never["last_verified_on"]
    never_id = await register(client, issued.admin, never)
    recent = make_body(registration_number="73", name="HTX Mới", last_verified_on="2026-06-01")
    await register(client, issued.admin, recent)
    answer = await client.get("/v1/organizations", params={"verified_before": "2026-01-01"})
    assert {item["id"] for item in answer.json()["items"]} == {old, never_id}
