"""POST /v1/organizations/batch: each row read, authorised, validated and answered exactly as its
single-record route would; a bad row never blocks the others and is never half applied."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from hoptac.registry.adapters.tables import organization_versions, outbox
from hoptac.registry.domain.validation import ReferenceData

from .conftest import Tokens, client_with
from .test_bad_input import events

pytestmark = pytest.mark.integration

BATCH = "/v1/organizations/batch"
Body = Callable[..., dict[str, Any]]


async def registered(client: httpx.AsyncClient, token: str, body: dict[str, Any]) -> str:
    answer = await client.post("/v1/organizations", json=body, headers=Tokens.header(token))
    assert answer.status_code == 201, answer.text
    return str(answer.json()["id"])


async def event_rows(engine: AsyncEngine) -> list[tuple[Any, int, str]]:
    async with engine.connect() as conn:
        rows = await conn.execute(
            select(outbox.c.organization_id, outbox.c.organization_version, outbox.c.event_type)
        )
        return [tuple(row) for row in rows]


async def test_each_row_is_answered_in_its_place_and_only_the_good_ones_are_applied(
    client: httpx.AsyncClient, issued: Tokens, engine: AsyncEngine, make_body: Body
) -> None:
    existing = await registered(client, issued.admin, make_body())
    changes = [
        {"op": "register", "body": make_body(registration_number="6001000002", name="HTX Một")},
        {"op": "register", "body": make_body(registration_number="6001000003", kind="nonsense")},
        {"op": "register", "body": make_body(name="HTX trùng số")},  # number taken
        {"op": "update", "id": existing, "version": 1, "body": {"members_count": 30}},
        {"op": "update", "id": existing, "version": 1, "body": {"members_count": 31}},  # stale
        {
            "op": "status",
            "id": existing,
            "body": {"status": "suspended", "reason": "thiếu vốn", "suspended_until": "2027-01-01"},
        },
        {"op": "status", "id": existing, "body": {"status": "operating", "reason": "x"}},
        {"op": "rename", "body": {}},
        "not an object",
    ]
    before = await events(engine)

    answer = await client.post(
        BATCH, json={"changes": changes}, headers=Tokens.header(issued.admin)
    )

    assert answer.status_code == 200, answer.text
    results = answer.json()["results"]
    assert [r["index"] for r in results] == list(range(len(changes)))
    assert [r["status"] for r in results] == [201, 422, 409, 200, 412, 200, 422, 422, 422]
    assert results[0]["version"] == 1
    assert results[3]["version"] == 2
    assert results[5]["version"] == 3
    assert results[1]["error"]["errors"][0]["field"] == "kind"
    assert results[2]["error"]["error"] == "duplicate_registration_number"
    assert results[4]["error"]["error"] == "stale_version"
    assert results[6]["error"]["errors"][0]["field"] == "reason"
    assert results[7]["error"]["errors"][0]["field"] == "op"
    assert answer.json()["applied"] == 3
    assert answer.json()["refused"] == 6
    assert await events(engine) == before + 3
    new = {(str(org), version) for org, version, _ in await event_rows(engine)}
    assert {(results[0]["id"], 1), (existing, 2), (existing, 3)} <= new


@pytest.mark.parametrize(
    ("op", "body"),
    [
        ("register", {"registered_on": "2023-02-30"}),
        ("register", {"address": {"province_code": "96", "commune_code": "99999"}}),
        ("register", {"name": "HTX\u200b Tân Hưng"}),
        ("register", {"unknown_field": 1}),
        ("register", {"effective_date": "2020-01-01"}),
        ("update", {"members_count": -1}),
        ("update", {}),
        ("update", {"address": {"commune_code": "00001"}}),
        ("status", {"status": "dissolved"}),
        ("status", {"status": "bankrupt", "reason": "phá sản", "effective_date": "2014-01-01"}),
    ],
)
async def test_a_row_is_refused_with_the_very_answer_of_its_single_record_route(
    client: httpx.AsyncClient,
    issued: Tokens,
    engine: AsyncEngine,
    make_body: Body,
    op: str,
    body: dict[str, Any],
) -> None:
    org_id = await registered(client, issued.admin, make_body())
    headers = Tokens.header(issued.admin)
    if op == "register":
        sent = make_body(registration_number="6001000099", **body)
        single = await client.post("/v1/organizations", json=sent, headers=headers)
        row: dict[str, Any] = {"op": op, "body": sent}
    elif op == "update":
        path = f"/v1/organizations/{org_id}"
        single = await client.patch(path, json=body, headers={**headers, "If-Match": '"1"'})
        row = {"op": op, "id": org_id, "version": 1, "body": body}
    else:
        single = await client.post(f"/v1/organizations/{org_id}/status", json=body, headers=headers)
        row = {"op": op, "id": org_id, "body": body}
    before = await events(engine)

    answer = await client.post(BATCH, json={"changes": [row]}, headers=headers)

    assert single.status_code >= 400
    (result,) = answer.json()["results"]
    assert (result["status"], result["error"]) == (single.status_code, single.json())
    assert await events(engine) == before


async def test_a_row_refused_after_its_write_began_leaves_no_trace(
    client: httpx.AsyncClient, issued: Tokens, engine: AsyncEngine, make_body: Body
) -> None:
    """Two rows with one registration number: the second fails at the unique index, inside its
    savepoint, after its version and event rows were written; they roll back with it."""
    changes = [
        {"op": "register", "body": make_body(registration_number="6001000010", name="HTX A")},
        {"op": "register", "body": make_body(registration_number="6001000010", name="HTX B")},
        {"op": "register", "body": make_body(registration_number="6001000011", name="HTX C")},
    ]

    answer = await client.post(
        BATCH, json={"changes": changes}, headers=Tokens.header(issued.admin)
    )

    assert [r["status"] for r in answer.json()["results"]] == [201, 409, 201]
    async with engine.connect() as conn:
        versions = (await conn.execute(select(organization_versions.c.organization_id))).all()
    assert len(versions) == 2
    assert len(await event_rows(engine)) == 2


@pytest.mark.parametrize(
    ("token", "status"), [(None, 401), ("hoptac_not-a-real-token", 401), ("agency", 403)]
)
async def test_a_caller_who_may_not_write_is_refused_before_the_body_is_read(
    client: httpx.AsyncClient, issued: Tokens, engine: AsyncEngine, token: str | None, status: int
) -> None:
    headers = {"Content-Type": "application/json"}
    if token is not None:
        headers["Authorization"] = f"Bearer {getattr(issued, token, token)}"
    before = await events(engine)

    answer = await client.post(BATCH, content=b"{not json", headers=headers)

    assert answer.status_code == status
    assert await events(engine) == before


async def test_an_area_officer_writes_the_rows_of_its_area_and_is_refused_the_others(
    client: httpx.AsyncClient, issued: Tokens, make_body: Body
) -> None:
    in_ha_noi = make_body(
        registration_number="0101000001",
        address={"province_code": "01", "commune_code": "00004", "street": "Phố Huế"},
    )
    changes = [
        {"op": "register", "body": make_body(registration_number="6001000020")},
        {"op": "register", "body": in_ha_noi},
    ]

    answer = await client.post(
        BATCH, json={"changes": changes}, headers=Tokens.header(issued.officer_96)
    )

    assert [r["status"] for r in answer.json()["results"]] == [201, 403]
    assert "Your token covers provinces 96" in answer.json()["results"][1]["error"]["message"]


async def test_more_rows_than_allowed_are_refused_whole_and_nothing_is_applied(
    registry_url: str,
    reference: ReferenceData,
    issued: Tokens,
    engine: AsyncEngine,
    make_body: Body,
) -> None:
    changes = [
        {"op": "register", "body": make_body(registration_number=f"600100100{n}")} for n in range(3)
    ]
    async with client_with(registry_url, reference, batch_max_rows=2) as client:
        answer = await client.post(
            BATCH, json={"changes": changes}, headers=Tokens.header(issued.admin)
        )

    assert answer.status_code == 422
    assert "over the limit of 2" in answer.json()["errors"][0]["message"]
    assert await events(engine) == 0


async def test_a_batch_may_be_larger_than_a_single_write_up_to_its_own_limit(
    registry_url: str,
    reference: ReferenceData,
    issued: Tokens,
    engine: AsyncEngine,
    make_body: Body,
) -> None:
    changes = [
        {"op": "register", "body": make_body(registration_number=f"60011{n:05d}", name=f"HTX {n}")}
        for n in range(40)
    ]
    sent = httpx.Request("POST", "http://registry", json={"changes": changes}).content
    settings = {"max_body_bytes": len(sent) // 4, "batch_max_body_bytes": len(sent) + 1}
    async with client_with(registry_url, reference, **settings) as client:
        fits = await client.post(
            BATCH, json={"changes": changes}, headers=Tokens.header(issued.admin)
        )
        single = await client.post(
            "/v1/organizations",
            content=b" " * (len(sent) // 2),
            headers={**Tokens.header(issued.admin), "Content-Type": "application/json"},
        )
    async with client_with(registry_url, reference, batch_max_body_bytes=len(sent) - 1) as client:
        over = await client.post(
            BATCH, json={"changes": changes}, headers=Tokens.header(issued.admin)
        )

    assert fits.json()["applied"] == 40
    assert single.status_code == 413
    assert over.status_code == 413
    assert over.json()["error"] == "body_too_large"
    assert await events(engine) == 40


async def test_a_dry_run_answers_as_the_real_run_would_and_keeps_nothing(
    client: httpx.AsyncClient, issued: Tokens, engine: AsyncEngine, make_body: Body
) -> None:
    changes = [
        {"op": "register", "body": make_body(registration_number="6001000030")},
        {"op": "register", "body": make_body(registration_number="6001000030")},
        {"op": "register", "body": make_body(registration_number="6001000031", kind="x")},
    ]
    headers = Tokens.header(issued.admin)

    dry = await client.post(BATCH, json={"changes": changes, "dry_run": True}, headers=headers)
    kept = await events(engine)
    real = await client.post(BATCH, json={"changes": changes}, headers=headers)

    statuses = [r["status"] for r in dry.json()["results"]]
    assert statuses == [r["status"] for r in real.json()["results"]] == [201, 409, 422]
    assert dry.json()["dry_run"] is True
    assert kept == 0
    assert await events(engine) == 1


@pytest.mark.parametrize("similar_names", [True, False])
async def test_a_dry_run_sees_its_earlier_rows_across_runs_as_the_real_run_does(
    client: httpx.AsyncClient,
    issued: Tokens,
    engine: AsyncEngine,
    make_body: Body,
    similar_names: bool,
) -> None:
    """Without similar names a dry run stores nothing; its rows still see the rows before them,
    in every run of registrations and changes, as the real run's rows do."""
    existing = await registered(client, issued.admin, make_body())
    suspend = {"status": "suspended", "reason": "thiếu vốn", "suspended_until": "2027-01-01"}
    changes = [
        {"op": "update", "id": existing, "version": 1, "body": {"members_count": 30}},
        {"op": "register", "body": make_body(registration_number="6001000040")},
        {"op": "update", "id": existing, "version": 2, "body": {"members_count": 31}},
        {"op": "register", "body": make_body(registration_number="6001000040")},
        {"op": "status", "id": existing, "version": 3, "body": suspend},
        {"op": "update", "id": existing, "version": 2, "body": {"members_count": 32}},
        {"op": "register", "body": make_body(name="HTX trùng số")},  # the existing one's number
    ]
    headers = Tokens.header(issued.admin)
    body = {"changes": changes, "similar_names": similar_names}
    kept = await events(engine)

    dry = await client.post(BATCH, json={**body, "dry_run": True}, headers=headers)
    after_dry = await events(engine)
    real = await client.post(BATCH, json=body, headers=headers)

    def answered(answer: httpx.Response) -> list[tuple[int, int | None]]:
        return [(r["status"], r.get("version")) for r in answer.json()["results"]]

    assert answered(dry) == answered(real)
    assert [status for status, _ in answered(real)] == [200, 201, 200, 409, 200, 412, 409]
    assert [version for _, version in answered(real)][:5:2] == [2, 3, 4]
    assert after_dry == kept
    assert await events(engine) == kept + 4


async def test_the_changes_of_a_correlation_id_are_read_back_as_soon_as_they_commit(
    client: httpx.AsyncClient, issued: Tokens, make_body: Body
) -> None:
    existing = await registered(client, issued.admin, make_body())
    changes = [
        {
            "op": "register",
            "correlation_id": "proposal:a",
            "body": make_body(registration_number="6001000031"),
        },
        {
            "op": "update",
            "id": existing,
            "version": 1,
            "correlation_id": "proposal:b",
            "body": {"members_count": 30},
        },
        {
            "op": "status",
            "id": existing,
            "correlation_id": "proposal:b",
            "body": {"status": "suspended", "reason": "thiếu vốn", "suspended_until": "2027-01-01"},
        },
        {"op": "update", "id": existing, "version": 1, "correlation_id": "proposal:c", "body": {}},
    ]
    applied = (
        await client.post(BATCH, json={"changes": changes}, headers=Tokens.header(issued.admin))
    ).json()["results"]

    answer = await client.get(
        "/v1/changes/correlated",
        params={"correlation_id": ["proposal:a", "proposal:b", "proposal:c", "proposal:d"]},
        headers=Tokens.header(issued.reviewer),
    )

    assert answer.status_code == 200, answer.text
    assert answer.json()["complete"] is True
    found = [
        (c["correlation_id"], c["organization_id"], c["organization_version"], c["event_type"])
        for c in answer.json()["changes"]
    ]
    assert found == [
        ("proposal:a", applied[0]["id"], 1, "organization.registered"),
        ("proposal:b", existing, 2, "organization.updated"),
        ("proposal:b", existing, 3, "organization.status_changed"),
    ]


@pytest.mark.parametrize(("token", "status"), [("officer_96", 403), ("agency", 403), ("", 401)])
async def test_the_changes_of_a_correlation_id_are_for_admins_and_reviewers(
    client: httpx.AsyncClient, issued: Tokens, token: str, status: int
) -> None:
    headers = Tokens.header(getattr(issued, token)) if token else {}

    answer = await client.get(
        "/v1/changes/correlated", params={"correlation_id": "proposal:a"}, headers=headers
    )

    assert answer.status_code == status


async def test_more_correlation_ids_than_one_read_takes_are_refused(
    client: httpx.AsyncClient, issued: Tokens
) -> None:
    ids = [f"proposal:{n}" for n in range(101)]

    answer = await client.get(
        "/v1/changes/correlated",
        params={"correlation_id": ids},
        headers=Tokens.header(issued.reviewer),
    )

    assert answer.status_code == 422
