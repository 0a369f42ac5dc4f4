"""No accepted write can make an event too large to publish or a number a projection cannot hold:
every text field is bounded on create and update, numbers fit reality, and the event's size is
checked before the write commits."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from hoptac.registry.adapters import outbox
from hoptac.registry.domain.validation import ReferenceData
from hoptac.registry.settings import RegistrySettings

from .conftest import Tokens, client_with
from .test_bad_input import events, with_value

pytestmark = pytest.mark.integration

HUGE = "a" * 5_000

TEXT_FIELDS = [
    "name",
    "name_foreign",
    "name_abbreviation",
    "registering_authority",
    "address.street",
    "address.text",
    "contact.phone",
    "contact.email",
    "contact.website",
    "legal_representative.name",
    "legal_representative.title",
]


@pytest.mark.parametrize("path", TEXT_FIELDS)
async def test_every_text_field_is_bounded_on_create(
    client: httpx.AsyncClient,
    issued: Tokens,
    make_body: Callable[..., dict[str, Any]],
    engine: AsyncEngine,
    path: str,
) -> None:
    before = await events(engine)
    body = with_value(make_body(), path, HUGE)
    response = await client.post(
        "/v1/organizations", json=body, headers=Tokens.header(issued.admin)
    )
    assert response.status_code == 422, response.text
    assert path in [e["field"] for e in response.json()["errors"]]
    assert await events(engine) == before


async def test_an_ocop_product_name_is_bounded(
    client: httpx.AsyncClient, issued: Tokens, make_body: Callable[..., dict[str, Any]]
) -> None:
    body = make_body(ocop_products=[{"name": HUGE, "stars": 4}])
    response = await client.post(
        "/v1/organizations", json=body, headers=Tokens.header(issued.admin)
    )
    assert response.status_code == 422
    assert "ocop_products.0.name" in [e["field"] for e in response.json()["errors"]]


async def _registered(
    client: httpx.AsyncClient, token: str, body: dict[str, Any]
) -> tuple[str, int]:
    response = await client.post("/v1/organizations", json=body, headers=Tokens.header(token))
    assert response.status_code == 201, response.text
    return response.json()["id"], response.json()["version"]


@pytest.mark.parametrize("path", TEXT_FIELDS)
async def test_every_text_field_is_bounded_on_update(
    client: httpx.AsyncClient,
    issued: Tokens,
    make_body: Callable[..., dict[str, Any]],
    engine: AsyncEngine,
    path: str,
) -> None:
    org_id, version = await _registered(client, issued.admin, make_body())
    before = await events(engine)
    response = await client.patch(
        f"/v1/organizations/{org_id}",
        json=with_value({}, path, HUGE),
        headers={**Tokens.header(issued.admin), "If-Match": f'"{version}"'},
    )
    assert response.status_code == 422, response.text
    assert path in [e["field"] for e in response.json()["errors"]]
    assert await events(engine) == before


@pytest.mark.parametrize(
    ("path", "value"),
    [
        ("members_count", 3_000_000_000),
        ("workers_count", 10**19),
        ("charter_capital", 10**30),
        ("members_count", -1),
        ("financials", [{"year": 2024, "revenue": 10**20}]),
        ("financials", [{"year": 2024, "profit": -(10**20)}]),
    ],
)
async def test_numbers_a_projection_cannot_hold_are_refused(
    client: httpx.AsyncClient,
    issued: Tokens,
    make_body: Callable[..., dict[str, Any]],
    engine: AsyncEngine,
    path: str,
    value: Any,
) -> None:
    before = await events(engine)
    response = await client.post(
        "/v1/organizations", json=make_body(**{path: value}), headers=Tokens.header(issued.admin)
    )
    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["field"].startswith(path)
    assert await events(engine) == before


@pytest.mark.parametrize(
    ("path", "value"),
    [
        ("registered_on", "0001-01-01"),
        ("registered_on", "1800-05-01"),
        ("last_verified_on", "0001-01-01"),
        ("contact.website", "javascript:alert(1)"),
        ("contact.website", "ftp://htx.vn"),
        ("contact.email", "not an address"),
    ],
)
async def test_implausible_dates_and_addresses_are_refused(
    client: httpx.AsyncClient,
    issued: Tokens,
    make_body: Callable[..., dict[str, Any]],
    path: str,
    value: Any,
) -> None:
    body = with_value(make_body(), path, value)
    response = await client.post(
        "/v1/organizations", json=body, headers=Tokens.header(issued.admin)
    )
    assert response.status_code == 422, response.text
    assert path in [e["field"] for e in response.json()["errors"]]


def largest_valid_body(make_body: Callable[..., dict[str, Any]]) -> dict[str, Any]:
    """Every bounded field at its bound, in three-byte characters where text is free."""
    long_name, text = "ữ" * 300, "ữ" * 1000
    return make_body(
        name=long_name,
        name_foreign=long_name,
        name_abbreviation=long_name,
        registering_authority=long_name,
        address={"street": long_name, "province_code": "96", "commune_code": "31825", "text": text},
        contact={"phone": "0912345678", "email": "a" * 64 + "@" + "b" * 185 + ".vn"},
        legal_representative={"name": long_name, "title": long_name},
        ocop_products=[{"name": f"{i:03d}" + "ữ" * 297, "stars": 3} for i in range(100)],
        financials=[
            {"year": 1945 + i, "revenue": -(10**15), "profit": -(10**15)} for i in range(80)
        ],
    )


async def test_the_largest_valid_registration_fits_the_default_event_limit(
    client: httpx.AsyncClient,
    issued: Tokens,
    make_body: Callable[..., dict[str, Any]],
    engine: AsyncEngine,
) -> None:
    response = await client.post(
        "/v1/organizations", json=largest_valid_body(make_body), headers=Tokens.header(issued.admin)
    )
    assert response.status_code == 201, response.text
    async with engine.begin() as conn:
        await outbox.assign_sequences(conn, 1)
        (stored,) = await outbox.page(conn, 0, 1)
    size = len(outbox.encode(stored))
    assert size <= RegistrySettings.model_fields["max_event_bytes"].default


@pytest.fixture
async def small_event_client(
    registry_url: str, reference: ReferenceData
) -> AsyncIterator[httpx.AsyncClient]:
    async with client_with(registry_url, reference, max_event_bytes=4_000) as http:
        yield http


async def test_a_write_whose_event_is_too_large_is_refused_and_nothing_commits(
    small_event_client: httpx.AsyncClient,
    issued: Tokens,
    make_body: Callable[..., dict[str, Any]],
    engine: AsyncEngine,
) -> None:
    org_id, version = await _registered(small_event_client, issued.admin, make_body())
    before = await events(engine)
    response = await small_event_client.patch(
        f"/v1/organizations/{org_id}",
        json={"address": {"text": "ữ" * 1000}, "name_foreign": "ữ" * 300},
        headers={**Tokens.header(issued.admin), "If-Match": f'"{version}"'},
    )
    assert response.status_code == 422, response.text
    assert response.json()["error"] == "event_too_large"
    assert "4,000" in response.json()["message"]
    assert await events(engine) == before
    current = await small_event_client.get(f"/v1/organizations/{org_id}")
    assert current.json()["version"] == version


async def test_a_dry_run_refuses_an_event_too_large_as_the_real_run_does(
    small_event_client: httpx.AsyncClient,
    issued: Tokens,
    make_body: Callable[..., dict[str, Any]],
    engine: AsyncEngine,
) -> None:
    """A dry run that keeps nothing builds an event only when its size is in doubt: the rows
    near the limit are still measured, and answered as the real run answers them."""
    org_id, version = await _registered(small_event_client, issued.admin, make_body())
    wide = {"address": {"text": "ữ" * 1000}, "name_foreign": "ữ" * 300}
    wide_body = {**wide, "address": {**make_body()["address"], **wide["address"]}}
    changes = [
        {"op": "register", "body": make_body(registration_number="6001000090")},
        {"op": "register", "body": make_body(registration_number="6001000091", **wide_body)},
        {"op": "update", "id": org_id, "version": version, "body": wide},
        {"op": "update", "id": org_id, "version": version, "body": {"members_count": 26}},
    ]
    body = {"changes": changes, "similar_names": False}
    headers = Tokens.header(issued.admin)
    kept = await events(engine)

    dry = await small_event_client.post(
        "/v1/organizations/batch", json={**body, "dry_run": True}, headers=headers
    )
    after_dry = await events(engine)
    real = await small_event_client.post("/v1/organizations/batch", json=body, headers=headers)

    def answered(answer: httpx.Response) -> list[tuple[int, str | None]]:
        return [(r["status"], r.get("error", {}).get("error")) for r in answer.json()["results"]]

    assert answered(dry) == answered(real)
    too_large = (422, "event_too_large")
    assert answered(real) == [(201, None), too_large, too_large, (200, None)]
    assert after_dry == kept
