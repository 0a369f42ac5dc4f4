"""The review of proposed changes: an area officer submits those of their own area, a person
other than the author approves, and the change is applied through the registry's batch write
with its event; a record changed since is flagged; every step is audited."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from hoptac.registry.adapters.tables import outbox

from .conftest import Tokens, bearer
from .files import as_csv, row
from .test_import import upload

pytestmark = pytest.mark.integration


async def proposed(client: httpx.AsyncClient, token: str, content: bytes) -> list[dict[str, Any]]:
    report = (await upload(client, token, content, name="khao-sat.csv")).json()
    assert report["problems"] == [], report
    answer = await client.get(f"/v1/proposals?batch={report['batch_id']}", headers=bearer(token))
    return list(answer.json())


async def events(registry_transport: httpx.ASGITransport) -> int:
    engine: AsyncEngine = registry_transport.app.state.registry.engine  # type: ignore[attr-defined]
    async with engine.connect() as conn:
        return int(await conn.scalar(select(func.count()).select_from(outbox)) or 0)


async def post(client: httpx.AsyncClient, path: str, token: str, body: Any) -> httpx.Response:
    return await client.post(path, json=body, headers=bearer(token))


async def test_a_proposal_submitted_then_approved_by_another_person_reaches_the_register(
    client: httpx.AsyncClient,
    issued: Tokens,
    registry: httpx.AsyncClient,
    registry_transport: httpx.ASGITransport,
) -> None:
    (draft,) = await proposed(client, issued.officer_96, as_csv([row()]))
    ids = {"ids": [draft["id"]]}

    submitted = await post(client, "/v1/proposals/submit", issued.officer_96, ids)
    approved = await post(client, "/v1/proposals/approve", issued.reviewer, ids)

    assert submitted.json()[0]["state"] == "submitted"
    (done,) = approved.json()
    assert done["state"] == "applied", done
    (result,) = done["outcome"]["results"]
    record = (
        await registry.get(f"/v1/organizations/{result['id']}", headers=bearer(issued.admin))
    ).json()
    assert record["name"] == "Hợp tác xã Nông nghiệp Tân Hưng"
    assert record["members_count"] == 1250
    assert await events(registry_transport) == 1
    history = (
        await client.get(f"/v1/proposals/{draft['id']}", headers=bearer(issued.admin))
    ).json()
    assert [step["action"] for step in history["history"]] == ["submit", "approve"]


async def test_many_proposals_approved_at_once_each_reach_the_register_with_its_history(
    client: httpx.AsyncClient,
    issued: Tokens,
    registry: httpx.AsyncClient,
    registry_transport: httpx.ASGITransport,
) -> None:
    names = ["Bình Minh", "Cửu Long", "Đồng Tiến", "Hòa Lợi", "Phước Sơn"]
    rows = [
        row(registration_number=f"600100020{n}", name=f"Hợp tác xã {name}")
        for n, name in enumerate(names)
    ]
    drafts = await proposed(client, issued.officer_96, as_csv(rows))
    ids = {"ids": [draft["id"] for draft in drafts]}

    await post(client, "/v1/proposals/submit", issued.officer_96, ids)
    approved = (await post(client, "/v1/proposals/approve", issued.reviewer, ids)).json()

    assert [done["state"] for done in approved] == ["applied"] * 5
    assert await events(registry_transport) == 5
    for done in approved:
        (result,) = done["outcome"]["results"]
        record = await registry.get(
            f"/v1/organizations/{result['id']}", headers=bearer(issued.admin)
        )
        assert record.json()["name"] == rows[done["row"] - 2]["name"]  # the header is row 1
        history = (
            await client.get(f"/v1/proposals/{done['id']}", headers=bearer(issued.admin))
        ).json()["history"]
        assert [(step["action"], step["details"].get("state")) for step in history] == [
            ("submit", None),
            ("approve", "applied"),
        ]


async def test_the_author_of_a_proposal_cannot_approve_it(
    client: httpx.AsyncClient, issued: Tokens, registry_transport: httpx.ASGITransport
) -> None:
    (draft,) = await proposed(client, issued.reviewer, as_csv([row()]))
    ids = {"ids": [draft["id"]]}
    await post(client, "/v1/proposals/submit", issued.reviewer, ids)

    by_author = await post(client, "/v1/proposals/approve", issued.reviewer, ids)
    by_another = await post(client, "/v1/proposals/approve", issued.second_reviewer, ids)

    assert by_author.status_code == 403
    assert "another reviewer" in by_author.json()["message"]
    assert by_another.json()[0]["state"] == "applied"
    assert await events(registry_transport) == 1


async def test_an_area_officer_cannot_approve_nor_reach_another_areas_proposals(
    client: httpx.AsyncClient, issued: Tokens
) -> None:
    (draft,) = await proposed(client, issued.officer_96, as_csv([row()]))
    ids = {"ids": [draft["id"]]}

    from_elsewhere = await post(client, "/v1/proposals/submit", issued.officer_01, ids)
    await post(client, "/v1/proposals/submit", issued.officer_96, ids)
    by_officer = await post(client, "/v1/proposals/approve", issued.officer_01, ids)
    listed = await client.get("/v1/proposals", headers=bearer(issued.officer_01))

    assert from_elsewhere.status_code == 404
    assert by_officer.status_code == 403
    assert listed.json() == []


async def test_a_draft_cannot_be_approved_before_it_is_submitted(
    client: httpx.AsyncClient, issued: Tokens
) -> None:
    (draft,) = await proposed(client, issued.officer_96, as_csv([row()]))

    answer = await post(client, "/v1/proposals/approve", issued.reviewer, {"ids": [draft["id"]]})

    assert answer.status_code == 409


async def test_a_proposal_returned_with_comments_goes_back_to_its_author(
    client: httpx.AsyncClient, issued: Tokens
) -> None:
    (draft,) = await proposed(client, issued.officer_96, as_csv([row()]))
    ids = {"ids": [draft["id"]]}
    await post(client, "/v1/proposals/submit", issued.officer_96, ids)

    returned = await post(
        client,
        f"/v1/proposals/{draft['id']}/return",
        issued.reviewer,
        {"comments": {"members_count": "Số thành viên chưa khớp biên bản đại hội"}},
    )
    again = await post(client, "/v1/proposals/submit", issued.officer_96, ids)

    assert returned.json()["state"] == "returned"
    assert returned.json()["comments"][0]["fields"]["members_count"].startswith("Số thành viên")
    assert again.json()[0]["state"] == "submitted"


async def test_a_row_for_a_registered_organisation_updates_it_and_a_change_since_is_flagged(
    client: httpx.AsyncClient,
    issued: Tokens,
    registry: httpx.AsyncClient,
) -> None:
    (first,) = await proposed(client, issued.officer_96, as_csv([row()]))
    await post(client, "/v1/proposals/submit", issued.officer_96, {"ids": [first["id"]]})
    (applied,) = (
        await post(client, "/v1/proposals/approve", issued.reviewer, {"ids": [first["id"]]})
    ).json()
    org_id = applied["outcome"]["results"][0]["id"]
    (update,) = await proposed(client, issued.officer_96, as_csv([row(members_count=40)]))
    assert (update["organization_id"], update["base_version"]) == (org_id, 1)
    assert update["change"]["matched_by"] == "registration_number"
    await registry.patch(
        f"/v1/organizations/{org_id}",
        json={"registering_authority": "Sở Tài chính tỉnh Cà Mau"},
        headers={**bearer(issued.admin), "If-Match": '"1"'},
    )
    ids = {"ids": [update["id"]]}
    await post(client, "/v1/proposals/submit", issued.officer_96, ids)

    stale = (await post(client, "/v1/proposals/approve", issued.reviewer, ids)).json()[0]
    rebased = (
        await post(client, f"/v1/proposals/{update['id']}/rebase", issued.reviewer, {})
    ).json()
    done = (await post(client, "/v1/proposals/approve", issued.reviewer, ids)).json()[0]

    assert (stale["state"], stale["stale"]) == ("submitted", True)
    assert rebased["base_version"] == 2
    assert done["state"] == "applied"
    record = (
        await registry.get(f"/v1/organizations/{org_id}", headers=bearer(issued.admin))
    ).json()
    assert (record["members_count"], record["version"]) == (40, 3)
    assert record["registering_authority"] == "Sở Tài chính tỉnh Cà Mau"
