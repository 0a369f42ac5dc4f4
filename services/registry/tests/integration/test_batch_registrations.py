"""Registrations next to each other in a batch are checked together and stored set-based; each
still answers, and is stored with its event, exactly as if registered alone one after the other."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any
from uuid import UUID

import httpx
import pytest
from sqlalchemy import String, func, select, text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from hoptac.registry.adapters import repository
from hoptac.registry.adapters.tables import audit_log, organization_versions, organizations, outbox

from .conftest import Tokens

pytestmark = pytest.mark.integration

BATCH = "/v1/organizations/batch"
Body = Callable[..., dict[str, Any]]


async def counts(engine: AsyncEngine) -> dict[str, int]:
    async with engine.connect() as conn:
        return {
            table.name: int(await conn.scalar(select(func.count()).select_from(table)) or 0)
            for table in (organizations, organization_versions, outbox, audit_log)
        }


async def batch(
    client: httpx.AsyncClient, token: str, changes: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    answer = await client.post(BATCH, json={"changes": changes}, headers=Tokens.header(token))
    assert answer.status_code == 200, answer.text
    results: list[dict[str, Any]] = answer.json()["results"]
    return results


def registering(body: dict[str, Any]) -> dict[str, Any]:
    return {"op": "register", "body": body}


async def test_a_bad_row_among_registrations_is_refused_alone(
    client: httpx.AsyncClient, issued: Tokens, engine: AsyncEngine, make_body: Body
) -> None:
    before = await counts(engine)
    changes = [
        registering(make_body(registration_number="6002000001", name="HTX Bình An")),
        registering(make_body(registration_number="6002000002", members_count=-5)),
        registering(make_body(registration_number="6002000003", name="HTX Phú Quý")),
    ]

    results = await batch(client, issued.admin, changes)

    assert [r["status"] for r in results] == [201, 422, 201]
    assert results[1]["error"]["errors"][0]["field"] == "members_count"
    after = await counts(engine)
    assert {name: after[name] - before[name] for name in after} == {
        "organizations": 2,
        "organization_versions": 2,
        "outbox": 2,
        "audit_log": 2,
    }


async def test_a_number_repeated_in_the_batch_is_refused_from_its_second_valid_row_on(
    client: httpx.AsyncClient, issued: Tokens, make_body: Body
) -> None:
    number = "6002000010"
    changes = [
        registering(make_body(registration_number=number, kind="nonsense")),  # claims nothing
        registering(make_body(registration_number=number, name="HTX Thuận Phát")),
        registering(make_body(registration_number=number, name="HTX Thuận Lợi")),
        registering(make_body(registration_number="6002000011", name="HTX Hòa Bình")),
    ]

    results = await batch(client, issued.admin, changes)
    single = await client.post(
        "/v1/organizations", json=changes[2]["body"], headers=Tokens.header(issued.admin)
    )

    assert [r["status"] for r in results] == [422, 201, 409, 201]
    assert results[1]["id"] in results[2]["error"]["message"]
    assert (results[2]["status"], results[2]["error"]) == (single.status_code, single.json())


async def test_a_number_the_register_holds_is_refused_with_the_single_routes_answer(
    client: httpx.AsyncClient, issued: Tokens, make_body: Body
) -> None:
    headers = Tokens.header(issued.admin)
    held = make_body(registration_number="6002000020", name="HTX Đã Có")
    assert (await client.post("/v1/organizations", json=held, headers=headers)).status_code == 201
    again = make_body(registration_number="6002-000-020", name="HTX Đã Có Lần Hai")
    single = await client.post("/v1/organizations", json=again, headers=headers)

    results = await batch(
        client,
        issued.admin,
        [
            registering(make_body(registration_number="6002000021", name="HTX Mới Một")),
            registering(again),
            registering(make_body(registration_number="6002000022", name="HTX Mới Hai")),
        ],
    )

    assert [r["status"] for r in results] == [201, 409, 201]
    assert (results[1]["status"], results[1]["error"]) == (single.status_code, single.json())


async def test_a_number_taken_after_the_check_refuses_only_its_row(
    client: httpx.AsyncClient,
    issued: Tokens,
    engine: AsyncEngine,
    make_body: Body,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Another transaction registers the number between the batch's check and its write: the
    set-based write fails at the unique index, and the rows are registered one by one instead."""
    headers = Tokens.header(issued.admin)
    taken = make_body(registration_number="6002000030", name="HTX Nhanh Tay")
    assert (await client.post("/v1/organizations", json=taken, headers=headers)).status_code == 201
    checked = repository.registration_owners

    async def before_the_other_commit(conn: AsyncConnection, numbers: list[str]) -> dict[str, UUID]:
        monkeypatch.setattr(repository, "registration_owners", checked)
        return {}

    monkeypatch.setattr(repository, "registration_owners", before_the_other_commit)
    before = await counts(engine)

    results = await batch(
        client,
        issued.admin,
        [
            registering(make_body(registration_number="6002000031", name="HTX Chậm Một")),
            registering(make_body(registration_number="6002000030", name="HTX Chậm Chân")),
            registering(make_body(registration_number="6002000032", name="HTX Chậm Hai")),
        ],
    )

    assert [r["status"] for r in results] == [201, 409, 201]
    assert results[1]["error"]["error"] == "duplicate_registration_number"
    after = await counts(engine)
    assert {name: after[name] - before[name] for name in after} == {
        "organizations": 2,
        "organization_versions": 2,
        "outbox": 2,
        "audit_log": 2,
    }


def _comparable(row: Any, org_id: str, number: str) -> dict[str, Any]:
    """An outbox row with what differs between two registrations of one body made at two
    moments under two numbers (ids, number, times) put aside."""
    data = json.loads(
        json.dumps(row.data, ensure_ascii=False).replace(org_id, "ID").replace(number, "NUMBER")
    )
    data["record"]["updated_at"] = "WHEN"
    return {
        "event_type": row.event_type,
        "subject": row.subject,
        "organization_version": row.organization_version,
        "province_code": row.province_code,
        "actor": row.actor,
        "correlation_id": row.correlation_id,
        "data": data,
    }


async def test_a_registration_in_a_batch_publishes_the_event_the_single_route_does(
    client: httpx.AsyncClient, issued: Tokens, engine: AsyncEngine, make_body: Body
) -> None:
    headers = {**Tokens.header(issued.admin), "X-Correlation-Id": "survey-2026"}
    alone = make_body(registration_number="6002000040")
    in_batch = make_body(registration_number="6002000041")
    single = await client.post("/v1/organizations", json=alone, headers=headers)
    answer = await client.post(BATCH, json={"changes": [registering(in_batch)]}, headers=headers)
    (result,) = answer.json()["results"]

    async with engine.connect() as conn:
        rows = {
            str(row.organization_id): row
            for row in await conn.execute(select(outbox).order_by(outbox.c.id))
        }
    single_id = single.json()["id"]
    assert _comparable(rows[single_id], single_id, "6002000040") == _comparable(
        rows[result["id"]], result["id"], "6002000041"
    )


async def test_similar_names_are_found_among_the_batchs_earlier_rows_as_one_by_one(
    client: httpx.AsyncClient, issued: Tokens, make_body: Body
) -> None:
    results = await batch(
        client,
        issued.admin,
        [
            registering(make_body(registration_number="6002000050", name="HTX Tân Thành Lợi")),
            registering(make_body(registration_number="6002000051", name="HTX Tân Thành Lợi 2")),
        ],
    )
    alone = await client.post(
        "/v1/organizations",
        json=make_body(registration_number="6002000052", name="HTX Tân Thành Lợi 3"),
        headers=Tokens.header(issued.admin),
    )

    assert "warnings" not in results[0]
    (warning,) = results[1]["warnings"]
    assert warning["code"] == "similar_name"
    assert [s["registration_number"] for s in warning["similar"]] == ["6002000050"]
    found_alone = {s["registration_number"] for s in alone.json()["warnings"][0]["similar"]}
    assert found_alone == {"6002000050", "6002000051"}


async def test_changes_to_one_record_in_a_batch_each_see_the_one_before(
    client: httpx.AsyncClient, issued: Tokens, engine: AsyncEngine, make_body: Body
) -> None:
    headers = Tokens.header(issued.admin)
    org_id = (await client.post("/v1/organizations", json=make_body(), headers=headers)).json()[
        "id"
    ]
    suspension = {"status": "suspended", "reason": "thiếu vốn", "suspended_until": "2027-01-01"}
    changes = [
        {"op": "update", "id": org_id, "version": 1, "body": {"members_count": 30}},
        {"op": "update", "id": org_id, "version": 1, "body": {"members_count": 31}},  # stale
        {"op": "status", "id": org_id, "version": 2, "body": suspension},
        {"op": "update", "id": org_id, "version": 3, "body": {"members_count": 30}},  # a no-op
        {"op": "update", "id": str(UUID(int=7)), "version": 1, "body": {"members_count": 1}},
        {"op": "update", "id": org_id, "version": 3, "body": {"workers_count": 14}},
    ]
    before = await counts(engine)

    results = await batch(client, issued.admin, changes)

    assert [r["status"] for r in results] == [200, 412, 200, 200, 404, 200]
    assert [r.get("version") for r in results] == [2, None, 3, 3, None, 4]
    record = (await client.get(f"/v1/organizations/{org_id}", headers=headers)).json()
    assert (record["members_count"], record["workers_count"], record["status"]) == (
        30,
        14,
        "suspended",
    )
    history = (await client.get(f"/v1/organizations/{org_id}/history", headers=headers)).json()
    assert [v["version"] for v in history["versions"]] == [1, 2, 3, 4]
    after = await counts(engine)
    assert {name: after[name] - before[name] for name in after} == {
        "organizations": 0,
        "organization_versions": 3,
        "outbox": 3,
        "audit_log": 3,
    }


async def test_an_update_to_a_number_another_record_holds_is_refused_alone(
    client: httpx.AsyncClient, issued: Tokens, engine: AsyncEngine, make_body: Body
) -> None:
    """The unique index refuses the batch's store; the rows are applied again one by one."""
    headers = Tokens.header(issued.admin)
    ids = [
        (
            await client.post(
                "/v1/organizations",
                json=make_body(registration_number=f"600200006{n}", name=f"HTX Số {n}"),
                headers=headers,
            )
        ).json()["id"]
        for n in range(3)
    ]
    before = await counts(engine)

    results = await batch(
        client,
        issued.admin,
        [
            {"op": "update", "id": ids[0], "version": 1, "body": {"members_count": 40}},
            {
                "op": "update",
                "id": ids[1],
                "version": 1,
                "body": {"registration_number": "6002000062"},
            },
            {"op": "update", "id": ids[2], "version": 1, "body": {"members_count": 41}},
        ],
    )

    assert [r["status"] for r in results] == [200, 409, 200]
    assert results[1]["error"]["error"] == "duplicate_registration_number"
    after = await counts(engine)
    assert after["outbox"] - before["outbox"] == 2
    assert after["organization_versions"] - before["organization_versions"] == 2


async def test_an_update_in_a_batch_publishes_the_event_the_single_route_does(
    client: httpx.AsyncClient, issued: Tokens, engine: AsyncEngine, make_body: Body
) -> None:
    headers = {**Tokens.header(issued.admin), "X-Correlation-Id": "survey-2026"}
    numbers = ("6002000070", "6002000071")
    alone, in_batch = [
        (
            await client.post(
                "/v1/organizations", json=make_body(registration_number=n), headers=headers
            )
        ).json()["id"]
        for n in numbers
    ]
    patch = {"members_count": 33, "name": "HTX Tân Hưng Mới", "reason": "khảo sát năm"}
    await client.patch(
        f"/v1/organizations/{alone}", json=patch, headers={**headers, "If-Match": '"1"'}
    )
    await client.post(
        BATCH,
        json={"changes": [{"op": "update", "id": in_batch, "version": 1, "body": patch}]},
        headers=headers,
    )

    async with engine.connect() as conn:
        rows = {
            (str(row.organization_id), row.organization_version): row
            for row in await conn.execute(select(outbox))
        }
    assert _comparable(rows[(alone, 2)], alone, numbers[0]) == _comparable(
        rows[(in_batch, 2)], in_batch, numbers[1]
    )


async def test_similar_names_are_not_looked_up_when_the_caller_says_so(
    client: httpx.AsyncClient, issued: Tokens, make_body: Body
) -> None:
    changes = [
        registering(make_body(registration_number="6002000080", name="HTX Tân Thành Phát")),
        registering(make_body(registration_number="6002000081", name="HTX Tân Thành Phát 2")),
    ]
    answer = await client.post(
        BATCH,
        json={"changes": changes, "similar_names": False},
        headers=Tokens.header(issued.admin),
    )

    assert [r["status"] for r in answer.json()["results"]] == [201, 201]
    assert all("warnings" not in r for r in answer.json()["results"])


async def test_the_similar_name_threshold_is_raised_again_in_a_later_transaction(
    engine: AsyncEngine,
) -> None:
    """Found by the OpenAPI fuzz test: on one connection, a second batch's transaction read the
    setting the first had set locally as an empty string, and the batch answered 500."""
    async with engine.connect() as conn:
        for threshold in (0.6, 0.7):
            async with conn.begin():
                await repository.prune_similar_names(conn, threshold)
                setting = await conn.scalar(
                    text("SELECT current_setting('pg_trgm.similarity_threshold')")
                )
                assert float(setting) == pytest.approx(threshold)


async def test_a_batchs_audit_rows_are_the_single_routes_one_a_row_in_the_rows_order(
    client: httpx.AsyncClient, issued: Tokens, engine: AsyncEngine, make_body: Body
) -> None:
    """Each version's audit row is written with it in one statement: the same values as the
    single routes write, in the order of the batch's rows."""
    headers = {**Tokens.header(issued.admin), "X-Correlation-Id": "survey-2026"}
    alone = make_body(registration_number="6002000090")
    single = await client.post("/v1/organizations", json=alone, headers=headers)
    numbers = ["6002000091", "6002000092"]
    patch = {"members_count": 40, "reason": "khảo sát năm"}
    registered = await batch(
        client, issued.admin, [registering(make_body(registration_number=n)) for n in numbers]
    )
    first, second = (result["id"] for result in registered)
    changes = [
        {"op": "update", "id": second, "version": 1, "body": patch},
        {"op": "status", "id": first, "body": {"status": "dissolving", "reason": "giải thể"}},
        {"op": "update", "id": second, "version": 2, "body": {"workers_count": 3}},
    ]
    answer = await client.post(BATCH, json={"changes": changes}, headers=headers)
    assert answer.status_code == 200, answer.text

    async with engine.connect() as conn:
        audited = (
            await conn.execute(
                select(
                    audit_log.c.actor,
                    audit_log.c.source,
                    audit_log.c.action,
                    audit_log.c.target,
                    audit_log.c.diff.cast(String).label("diff"),
                    audit_log.c.correlation_id,
                )
                .where(audit_log.c.action.like("organization.%"))
                .order_by(audit_log.c.id)
            )
        ).all()
        versions = {
            (str(row.organization_id), row.version): row
            for row in await conn.execute(
                select(
                    organization_versions.c.organization_id,
                    organization_versions.c.version,
                    organization_versions.c.event,
                    organization_versions.c.changes.cast(String).label("changes"),
                )
            )
        }
    assert [(row.action, row.target) for row in audited] == [
        ("organization.registered", single.json()["id"]),
        ("organization.registered", first),
        ("organization.registered", second),
        ("organization.updated", second),
        ("organization.status_changed", first),
        ("organization.updated", second),
    ]
    batch_rows = audited[1:]
    keys = [(first, 1), (second, 1), (second, 2), (first, 2), (second, 3)]
    assert [row.diff for row in batch_rows] == [versions[key].changes for key in keys]
    alone_row, in_batch_row = audited[0], audited[1]
    assert in_batch_row.diff.replace(numbers[0], "N") == alone_row.diff.replace("6002000090", "N")
    assert {(row.actor, row.source) for row in audited} == {(alone_row.actor, alone_row.source)}
    assert [row.correlation_id for row in audited] == [
        "survey-2026",
        None,
        None,
        "survey-2026",
        "survey-2026",
        "survey-2026",
    ]
