"""Requests crafted to break the registry (each found by probing it as an attacker would) are
answered with a 4xx JSON error that says what to fix: never a 5xx, never a change."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from .conftest import Tokens
from .test_bad_input import events

pytestmark = pytest.mark.integration


def cursor(value: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode()


READS = [
    "/v1/organizations?updated_since=9999-12-31T23:59:59-12:00",
    "/v1/organizations?updated_since=0001-01-01T00:00:00%2B14:00",
    "/v1/organizations?limit=%D9%A3",  # ARABIC-INDIC DIGIT THREE
    "/v1/organizations?limit=99999999999999999999999",
    *(
        f"/v1/organizations?cursor={cursor(value)}"
        for value in ({"after": 1}, [1], {}, True, 1.5, {"after": "x"}, None)
    ),
    "/v1/organizations?cursor=%00%00",
    "/v1/organizations?cursor=not-base64!",
    "/v1/changes?after=9223372036854775808",
    "/v1/changes?after=99999999999999999999999999",
    "/v1/changes?after=-1",
    "/v1/changes?limit=%EF%BC%95",  # FULLWIDTH DIGIT FIVE
    "/v1/organizations/00000000-0000-0000-0000-000000000000?as_of=0001-01-01",
    "/v1/organizations/00000000-0000-0000-0000-000000000000?as_of=9999-12-31",
]


@pytest.mark.parametrize("path", READS)
async def test_a_crafted_read_is_a_client_error(
    client: httpx.AsyncClient, issued: Tokens, path: str
) -> None:
    response = await client.get(path, headers=Tokens.header(issued.admin))
    assert 400 <= response.status_code < 500, response.text
    assert response.json()["message"]


NULLS = ["legal_representative", "digital", "ocop_products", "financials", "operating_in_practice"]


@pytest.mark.parametrize("field", NULLS)
async def test_a_merge_patch_null_on_a_nested_field_is_not_a_server_error(
    client: httpx.AsyncClient,
    issued: Tokens,
    make_body: Callable[..., dict[str, Any]],
    field: str,
) -> None:
    body = make_body(
        ocop_products=[{"name": "Mật ong hoa tràm U Minh", "stars": 4}],
        financials=[{"year": 2024, "revenue": 1_000_000}],
    )
    created = await client.post("/v1/organizations", json=body, headers=Tokens.header(issued.admin))
    org_id, version = created.json()["id"], created.json()["version"]
    response = await client.patch(
        f"/v1/organizations/{org_id}",
        json={field: None},
        headers={**Tokens.header(issued.admin), "If-Match": f'"{version}"'},
    )
    assert response.status_code in (200, 422), response.text
    if response.status_code == 200:
        read = await client.get(f"/v1/organizations/{org_id}")
        assert read.status_code == 200
        assert (await client.get(f"/v1/organizations/{org_id}/history")).status_code == 200


async def test_a_non_ascii_byte_in_authorization_is_a_401(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/v1/organizations",
        content=b"{}",
        headers=[(b"Authorization", b"Bearer \xff\xfe"), (b"Content-Type", b"application/json")],
    )
    assert response.status_code == 401, response.text


async def test_duplicate_json_keys_are_refused(
    client: httpx.AsyncClient,
    issued: Tokens,
    make_body: Callable[..., dict[str, Any]],
    engine: AsyncEngine,
) -> None:
    before = await events(engine)
    text = json.dumps(make_body())[:-1] + ', "name": "Hợp tác xã Khác"}'
    response = await client.post(
        "/v1/organizations",
        content=text.encode(),
        headers={**Tokens.header(issued.admin), "Content-Type": "application/json"},
    )
    assert response.status_code == 422, response.text
    assert "name" in response.json()["message"]
    assert await events(engine) == before


async def test_a_chunked_body_over_the_limit_is_a_413(
    client: httpx.AsyncClient, issued: Tokens
) -> None:
    async def chunks() -> Any:
        for _ in range(300):
            yield b" " * 1000

    response = await client.post(
        "/v1/organizations",
        content=chunks(),
        headers={**Tokens.header(issued.admin), "Content-Type": "application/json"},
    )
    assert response.status_code == 413, response.text


@pytest.mark.parametrize(
    "name",
    [
        "Hợp tác xã \u202eNông nghiệp",  # RIGHT-TO-LEFT OVERRIDE
        "Hợp tác xã\u200b Tân Hưng",  # ZERO WIDTH SPACE
        "Hợp tác xã \u2066Tân\u2069 Hưng",  # isolates
        "Hợp tác xã\ufeffTân Hưng",  # BOM
    ],
)
async def test_invisible_and_direction_characters_in_a_name_are_refused(
    client: httpx.AsyncClient,
    issued: Tokens,
    make_body: Callable[..., dict[str, Any]],
    name: str,
) -> None:
    response = await client.post(
        "/v1/organizations", json=make_body(name=name), headers=Tokens.header(issued.admin)
    )
    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["field"] == "name"


@pytest.mark.parametrize(
    "variant", ["6001 000 001", "6001-000-001", "06001000001", " 6001.000.001"]
)
async def test_one_organisation_cannot_be_registered_twice_under_number_variants(
    client: httpx.AsyncClient,
    issued: Tokens,
    make_body: Callable[..., dict[str, Any]],
    variant: str,
) -> None:
    first = await client.post(
        "/v1/organizations",
        json=make_body(registration_number="6001000001"),
        headers=Tokens.header(issued.admin),
    )
    assert first.status_code == 201
    again = await client.post(
        "/v1/organizations",
        json=make_body(registration_number=variant, name="Hợp tác xã Trùng Số"),
        headers=Tokens.header(issued.admin),
    )
    assert again.status_code in (409, 422), again.text
