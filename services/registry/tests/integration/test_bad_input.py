"""Bad input of every kind gets a 4xx with an actionable message, never a 500, never a change."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from hoptac.registry.adapters.tables import outbox

from .conftest import Tokens

pytestmark = pytest.mark.integration

FIELDS = [
    "registration_number",
    "name",
    "kind",
    "registered_on",
    "address",
    "address.province_code",
    "address.commune_code",
    "address.legacy",
    "address.lat",
    "sector",
    "sector.group",
    "sector.vsic",
    "members_count",
    "charter_capital",
    "financials",
    "legal_representative",
    "legal_representative.id_number",
    "ocop_products",
    "digital",
    "operating_in_practice",
    "last_verified_on",
]
JUNK = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**12), 10**12),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=40),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=2),
    st.sampled_from(["2023-02-30", "9999-99-99", "00000", "96", "hợp tác xã", "", "-1"]),
)


def with_value(body: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    *parents, leaf = path.split(".")
    node = body
    for key in parents:
        if not isinstance(node.get(key), dict):
            node[key] = {}
        node = node[key]
    node[leaf] = value
    return body


async def events(engine: AsyncEngine) -> int:
    async with engine.connect() as conn:
        return int(await conn.scalar(select(func.count()).select_from(outbox)) or 0)


@settings(
    max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(path=st.sampled_from(FIELDS), value=JUNK)
async def test_no_malformed_registration_is_a_server_error(
    client: httpx.AsyncClient,
    issued: Tokens,
    make_body: Callable[..., dict[str, Any]],
    engine: AsyncEngine,
    path: str,
    value: Any,
) -> None:
    before = await events(engine)
    body = with_value(make_body(registration_number="FUZZ-1"), path, value)
    response = await client.post(
        "/v1/organizations", json=body, headers=Tokens.header(issued.admin)
    )
    assert response.status_code in (201, 409, 422), response.text
    if response.status_code == 201:
        await client.delete(
            f"/v1/organizations/{response.json()['id']}",
            params={"reason": "fuzz"},
            headers=Tokens.header(issued.admin),
        )
        return
    assert response.json()["message"]
    assert await events(engine) == before


async def test_a_legacy_district_outside_its_province_is_refused(
    client: httpx.AsyncClient,
    issued: Tokens,
    make_body: Callable[..., dict[str, Any]],
) -> None:
    address = {
        "province_code": "96",
        "commune_code": "31825",
        "legacy": {"province_code": "95", "district_code": "964"},
    }
    response = await client.post(
        "/v1/organizations", json=make_body(address=address), headers=Tokens.header(issued.admin)
    )
    assert response.status_code == 422
    assert "address.legacy.district_code" in [e["field"] for e in response.json()["errors"]]


async def test_a_whole_legacy_commune_fills_in_the_current_one(
    client: httpx.AsyncClient,
    issued: Tokens,
    make_body: Callable[..., dict[str, Any]],
) -> None:
    address = {"province_code": "96", "legacy": {"province_code": "95", "commune_code": "31813"}}
    response = await client.post(
        "/v1/organizations", json=make_body(address=address), headers=Tokens.header(issued.admin)
    )
    assert response.status_code == 201, response.text
    assert response.json()["address"]["commune_code"] == "31825"


async def test_a_split_legacy_commune_leaves_the_current_one_open(
    client: httpx.AsyncClient,
    issued: Tokens,
    make_body: Callable[..., dict[str, Any]],
) -> None:
    address = {"province_code": "96", "legacy": {"province_code": "96", "commune_code": "32142"}}
    response = await client.post(
        "/v1/organizations", json=make_body(address=address), headers=Tokens.header(issued.admin)
    )
    assert response.status_code == 201, response.text
    assert response.json()["address"].get("commune_code") is None
    (warning,) = [w for w in response.json()["warnings"] if w["code"] == "legacy_commune_split"]
    candidates = [c["code"] for c in warning["candidates"]]
    assert len(candidates) >= 2
    assert all(code in warning["message"] for code in candidates)


@pytest.mark.parametrize(
    ("payload", "status", "field"),
    [
        ({"status": "suspended", "reason": "Tạm ngừng"}, 422, "suspended_until"),
        (
            {"status": "dissolved", "reason": "Giải thể", "effective_date": "2099-01-01"},
            422,
            "effective_date",
        ),
        (
            {"status": "dissolved", "reason": "Giải thể", "effective_date": "2010-01-01"},
            422,
            "effective_date",
        ),
        (
            {"status": "dissolved", "reason": "Giải thể", "effective_date": "2022-13-01"},
            422,
            "effective_date",
        ),
        ({"status": "closed", "reason": "Giải thể"}, 422, "status"),
        ({"status": "dissolved"}, 422, "reason"),
        ({"status": "operating", "reason": "Hoạt động"}, 409, None),
    ],
)
async def test_bad_status_changes_are_refused(
    client: httpx.AsyncClient,
    issued: Tokens,
    make_body: Callable[..., dict[str, Any]],
    payload: dict[str, Any],
    status: int,
    field: str | None,
) -> None:
    created = (
        await client.post(
            "/v1/organizations", json=make_body(), headers=Tokens.header(issued.admin)
        )
    ).json()
    response = await client.post(
        f"/v1/organizations/{created['id']}/status",
        json=payload,
        headers=Tokens.header(issued.reviewer),
    )
    assert response.status_code == status, response.text
    if field:
        assert field in [e["field"] for e in response.json()["errors"]]
    after = (await client.get(f"/v1/organizations/{created['id']}")).json()
    assert (after["version"], after["status"]) == (1, "operating")


async def test_unknown_ids_and_bad_ids(client: httpx.AsyncClient, issued: Tokens) -> None:
    unknown = await client.get("/v1/organizations/00000000-0000-0000-0000-000000000000")
    assert unknown.status_code == 404
    malformed = await client.get("/v1/organizations/not-an-id")
    assert malformed.status_code == 422
    assert malformed.json()["errors"][0]["field"] == "path.org_id"
    merge = await client.post(
        "/v1/organizations/00000000-0000-0000-0000-000000000000/merge",
        json={"into": "00000000-0000-0000-0000-000000000001", "reason": "Sáp nhập"},
        headers=Tokens.header(issued.admin),
    )
    assert merge.status_code == 404


async def test_a_body_that_is_not_json_is_a_422(client: httpx.AsyncClient, issued: Tokens) -> None:
    response = await client.post(
        "/v1/organizations",
        content=b"{not json",
        headers={**Tokens.header(issued.admin), "Content-Type": "application/json"},
    )
    assert response.status_code == 422
    assert "JSON" in response.json()["message"]


@pytest.mark.parametrize(
    ("raw_name", "message"),
    [(b'"HTX A\\u0000B"', "control character"), (b'"HTX \\ud800 B"', "unicode")],
)
async def test_text_postgresql_cannot_store_is_a_422_on_its_field(
    client: httpx.AsyncClient,
    issued: Tokens,
    make_body: Callable[..., dict[str, Any]],
    raw_name: bytes,
    message: str,
) -> None:
    import json

    body = json.dumps(make_body(name="PLACEHOLDER")).encode().replace(b'"PLACEHOLDER"', raw_name)
    response = await client.post(
        "/v1/organizations",
        content=body,
        headers={**Tokens.header(issued.admin), "Content-Type": "application/json"},
    )
    assert response.status_code == 422, response.text
    assert response.json()["errors"] == [
        {"field": "name", "message": response.json()["errors"][0]["message"]}
    ]
    assert message in response.json()["message"].lower()
    listed = await client.get("/v1/organizations", params={"registration_number": "A\x00"})
    assert listed.status_code == 422


@pytest.mark.parametrize("etag", ['"3.5"', '"abc"', '"99999999999999999999"', "W/"])
async def test_an_etag_that_is_not_a_version_is_a_422(
    client: httpx.AsyncClient, issued: Tokens, make_body: Callable[..., dict[str, Any]], etag: str
) -> None:
    created = (
        await client.post(
            "/v1/organizations", json=make_body(), headers=Tokens.header(issued.admin)
        )
    ).json()
    response = await client.patch(
        f"/v1/organizations/{created['id']}",
        json={"members_count": 1},
        headers={**Tokens.header(issued.admin), "If-Match": etag},
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "If-Match"
