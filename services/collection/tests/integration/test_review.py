"""The review of proposed changes: an area officer submits those of their own area, a person
other than the author approves, and the change is applied through the registry's batch write
with its event; a record changed since is flagged; every step is audited."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from hoptac.collection.adapters import store
from hoptac.collection.adapters.registry import RegistryClient
from hoptac.collection.domain.errors import Unavailable
from hoptac.platform.text import Text
from hoptac.registry.adapters.tables import outbox

from .conftest import Tokens, bearer
from .files import NEW_ROW, as_csv, row
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
    brief = "/v1/proposals/approve?brief=true"
    approved = (await post(client, brief, issued.reviewer, ids)).json()

    assert [done["state"] for done in approved] == ["applied"] * 5
    assert {frozenset(done) for done in approved} == {
        frozenset({"id", "row", "state", "stale", "outcome"})  # not what each proposed
    }
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


async def test_a_whole_import_is_submitted_at_once_each_officer_its_own_area(
    client: httpx.AsyncClient, issued: Tokens
) -> None:
    in_ca_mau = row(registration_number="6001000301", name="Hợp tác xã Tân Thành")
    in_ha_noi = row(
        registration_number="0101000302",
        name="Hợp tác xã Ba Đình",
        **{"address.province_code": "01", "address.commune_code": "00004"},
    )
    report = (
        await upload(client, issued.reviewer, as_csv([in_ca_mau, in_ha_noi]), name="khao-sat.csv")
    ).json()
    assert report["proposals_added"] == 2, report
    batch = report["batch_id"]

    by_ha_noi = (
        await client.post(f"/v1/imports/{batch}/submit", headers=bearer(issued.officer_01))
    ).json()
    by_ca_mau = (
        await client.post(f"/v1/imports/{batch}/submit", headers=bearer(issued.officer_96))
    ).json()
    again = (
        await client.post(f"/v1/imports/{batch}/submit", headers=bearer(issued.reviewer))
    ).json()
    unknown = await client.post(
        "/v1/imports/00000000-0000-0000-0000-000000000000/submit", headers=bearer(issued.reviewer)
    )
    by_reader = await client.post(f"/v1/imports/{batch}/submit", headers=bearer(issued.agency))

    listed = (await client.get(f"/v1/proposals?batch={batch}", headers=bearer(issued.admin))).json()
    province = {p["id"]: p["province_code"] for p in listed}
    assert (by_ha_noi["submitted"], [province[i] for i in by_ha_noi["ids"]]) == (1, ["01"])
    assert (by_ca_mau["submitted"], [province[i] for i in by_ca_mau["ids"]]) == (1, ["96"])
    assert (again["submitted"], again["ids"]) == (0, [])
    assert unknown.status_code == 404
    assert by_reader.status_code == 403
    assert {p["state"] for p in listed} == {"submitted"}
    history = (
        await client.get(f"/v1/proposals/{by_ca_mau['ids'][0]}", headers=bearer(issued.admin))
    ).json()["history"]
    assert [step["action"] for step in history] == ["submit"]
    approved = await post(
        client,
        "/v1/proposals/approve",
        issued.second_reviewer,
        {"ids": [*by_ha_noi["ids"], *by_ca_mau["ids"]]},
    )
    assert [done["state"] for done in approved.json()] == ["applied", "applied"]


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


async def test_two_reviewers_approving_the_same_proposals_at_once_apply_them_once(
    client: httpx.AsyncClient, issued: Tokens, registry_transport: httpx.ASGITransport
) -> None:
    rows = [
        row(registration_number=f"600100040{n}", name=f"Hợp tác xã {name}")
        for n, name in enumerate(["Bình Minh", "Cửu Long", "Đồng Tiến"])
    ]
    drafts = await proposed(client, issued.officer_96, as_csv(rows))
    ids = {"ids": [draft["id"] for draft in drafts]}
    await post(client, "/v1/proposals/submit", issued.officer_96, ids)
    before = await events(registry_transport)

    answers = await asyncio.gather(
        post(client, "/v1/proposals/approve", issued.reviewer, ids),
        post(client, "/v1/proposals/approve", issued.second_reviewer, ids),
    )

    # The second waits for the first, then finds the proposals applied, which is final.
    assert sorted(answer.status_code for answer in answers) == [200, 409]
    assert await events(registry_transport) == before + 3  # each applied once
    for draft in drafts:
        now = await client.get(f"/v1/proposals/{draft['id']}", headers=bearer(issued.admin))
        assert now.json()["state"] == "applied"


async def test_a_return_racing_an_approval_waits_for_it_and_never_undoes_what_it_applied(
    client: httpx.AsyncClient, issued: Tokens, registry_transport: httpx.ASGITransport
) -> None:
    rows = [row(registration_number="6001000501", name="Hợp tác xã Tân Phú")]
    (draft,) = await proposed(client, issued.officer_96, as_csv(rows))
    ids = {"ids": [draft["id"]]}
    await post(client, "/v1/proposals/submit", issued.officer_96, ids)
    before = await events(registry_transport)

    approved, returned = await asyncio.gather(
        post(client, "/v1/proposals/approve", issued.reviewer, ids),
        post(
            client,
            f"/v1/proposals/{draft['id']}/return",
            issued.second_reviewer,
            {"comments": {"_": "Xem lại"}},
        ),
    )

    now = (await client.get(f"/v1/proposals/{draft['id']}", headers=bearer(issued.admin))).json()
    if approved.status_code == 200:  # the approval came first: the return found it applied
        assert (returned.status_code, now["state"]) == (409, "applied")
        assert await events(registry_transport) == before + 1
    else:  # the return came first: nothing reached the register
        assert (approved.status_code, returned.status_code, now["state"]) == (409, 200, "returned")
        assert await events(registry_transport) == before


async def test_only_a_proposal_waiting_for_review_takes_the_records_current_version(
    client: httpx.AsyncClient, issued: Tokens
) -> None:
    (draft,) = await proposed(client, issued.officer_96, as_csv([row()]))
    ids = {"ids": [draft["id"]]}
    await post(client, "/v1/proposals/submit", issued.officer_96, ids)
    (applied,) = (await post(client, "/v1/proposals/approve", issued.reviewer, ids)).json()
    (update,) = await proposed(client, issued.officer_96, as_csv([row(members_count=41)]))

    of_applied = await post(client, f"/v1/proposals/{draft['id']}/rebase", issued.reviewer, {})
    of_draft = await post(client, f"/v1/proposals/{update['id']}/rebase", issued.reviewer, {})

    assert of_applied.status_code == of_draft.status_code == 409
    assert "applied" in of_applied.json()["message"]
    now = (await client.get(f"/v1/proposals/{draft['id']}", headers=bearer(issued.admin))).json()
    assert now["outcome"] == applied["outcome"]  # what was applied is still on record


class Crash(Exception):
    """Collection stopping between the registry's commit and its own."""


async def test_an_approval_lost_after_the_registry_committed_is_applied_once_when_approved_again(
    client: httpx.AsyncClient,
    issued: Tokens,
    registry: httpx.AsyncClient,
    registry_transport: httpx.ASGITransport,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    (first,) = await proposed(client, issued.officer_96, as_csv([row()]))
    await post(client, "/v1/proposals/submit", issued.officer_96, {"ids": [first["id"]]})
    (existing,) = (
        await post(client, "/v1/proposals/approve", issued.reviewer, {"ids": [first["id"]]})
    ).json()
    org_id = existing["outcome"]["results"][0]["id"]
    rows = [
        row(registration_number="6001000301", name="Hợp tác xã Bình Minh"),
        row(registration_number="6001000302", name="Hợp tác xã Cửu Long"),
        row(id=org_id, members_count=40, status="Đã giải thể", status_reason="Giải thể tự nguyện"),
    ]
    paths = ["id", *NEW_ROW, "status", "status_reason"]
    drafts = await proposed(client, issued.officer_96, as_csv(rows, paths))
    ids = {"ids": [draft["id"] for draft in drafts]}
    await post(client, "/v1/proposals/submit", issued.officer_96, ids)

    async def crashing(conn: Any, changed: list[dict[str, Any]]) -> None:
        raise Crash

    before = await events(registry_transport)
    with monkeypatch.context() as patched:
        patched.setattr(store, "settle", crashing)
        with pytest.raises(Crash):
            await post(client, "/v1/proposals/approve", issued.reviewer, ids)
    applied_once = await events(registry_transport)
    listed = await client.get("/v1/proposals?state=applying", headers=bearer(issued.reviewer))

    again = (await post(client, "/v1/proposals/approve", issued.second_reviewer, ids)).json()
    once_more = await post(client, "/v1/proposals/approve", issued.second_reviewer, ids)

    assert applied_once == before + 4  # two registrations, an update and a status change
    assert sorted(p["id"] for p in listed.json()) == sorted(ids["ids"])
    assert [p["state"] for p in again] == ["applied"] * 3, again
    assert await events(registry_transport) == applied_once  # nothing applied twice
    assert once_more.status_code == 409  # applied is final
    for done in again:
        assert all(result["reconciled"] for result in done["outcome"]["results"])
    by_row = {done["row"]: done["outcome"]["results"] for done in again}
    for number, position in (("6001000301", 2), ("6001000302", 3)):
        (result,) = by_row[position]
        record = await registry.get(
            f"/v1/organizations/{result['id']}", headers=bearer(issued.admin)
        )
        assert (record.json()["registration_number"], result["version"]) == (number, 1)
    assert [(r["id"], r["version"]) for r in by_row[4]] == [(org_id, 2), (org_id, 3)]
    record = (
        await registry.get(f"/v1/organizations/{org_id}", headers=bearer(issued.admin))
    ).json()
    assert (record["members_count"], record["status"], record["version"]) == (40, "dissolved", 3)


async def test_a_refusal_for_a_change_already_applied_under_the_proposal_counts_as_applied(
    client: httpx.AsyncClient,
    issued: Tokens,
    registry: httpx.AsyncClient,
    registry_transport: httpx.ASGITransport,
) -> None:
    """Another approval of the same proposal got there first (here: its batch sent by hand,
    with the proposal's correlation id): the registry refuses the number as taken, and the
    registry's change log shows it was this proposal's own change."""
    (draft,) = await proposed(client, issued.officer_96, as_csv([row()]))
    ids = {"ids": [draft["id"]]}
    await post(client, "/v1/proposals/submit", issued.officer_96, ids)
    first = await post(
        registry,
        "/v1/organizations/batch",
        issued.admin,
        {
            "changes": [
                {
                    "op": "register",
                    "correlation_id": f"proposal:{draft['id']}",
                    "body": draft["change"]["record"],
                }
            ]
        },
    )

    (done,) = (await post(client, "/v1/proposals/approve", issued.reviewer, ids)).json()

    assert done["state"] == "applied", done
    assert done["outcome"]["results"][0]["id"] == first.json()["results"][0]["id"]
    assert await events(registry_transport) == 1


async def test_an_approval_whose_registry_never_answered_is_sent_again_and_lost_nowhere(
    client: httpx.AsyncClient,
    issued: Tokens,
    registry_transport: httpx.ASGITransport,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    (draft,) = await proposed(client, issued.officer_96, as_csv([row()]))
    ids = {"ids": [draft["id"]]}
    await post(client, "/v1/proposals/submit", issued.officer_96, ids)

    async def unreachable(*args: Any, **kwargs: Any) -> list[dict[str, Any]]:
        raise Unavailable(Text("collection.registry_unavailable"))

    with monkeypatch.context() as patched:
        patched.setattr(RegistryClient, "batch", unreachable)
        lost = await post(client, "/v1/proposals/approve", issued.reviewer, ids)
    (left,) = (
        await client.get(
            f"/v1/proposals?batch={draft['batch_id']}", headers=bearer(issued.reviewer)
        )
    ).json()
    (done,) = (await post(client, "/v1/proposals/approve", issued.reviewer, ids)).json()

    assert lost.status_code == 503
    assert left["state"] == "applying"
    assert done["state"] == "applied"
    assert "reconciled" not in done["outcome"]["results"][0]
    assert await events(registry_transport) == 1


async def test_an_area_officer_pages_through_every_proposal_of_its_area(
    client: httpx.AsyncClient, issued: Tokens
) -> None:
    """The area is part of the listing's query: a page is full while more of the area's
    proposals follow, however many of other areas come between them; and a page before a
    proposal (`before`) is the one that ends just before it, in id order."""
    rows = [
        row(
            registration_number=f"0101000{n:03d}",
            name=f"Hợp tác xã Ba Đình {n}",
            **{"address.province_code": "01", "address.commune_code": "00004"},
        )
        if n % 3
        else row(registration_number=f"6001000{n:03d}", name=f"Hợp tác xã Tân Thành {n}")
        for n in range(12)
    ]
    report = (await upload(client, issued.reviewer, as_csv(rows), name="khao-sat.csv")).json()
    assert report["proposals_added"] == 12, report
    batch = report["batch_id"]

    seen: list[dict[str, Any]] = []
    after = ""
    while True:
        page = (
            await client.get(
                f"/v1/proposals?batch={batch}&limit=2{after}", headers=bearer(issued.officer_96)
            )
        ).json()
        if not page:
            break
        assert len(page) == 2 or len(seen) + len(page) == 4
        seen.extend(page)
        after = f"&after={page[-1]['id']}"

    assert len(seen) == 4
    assert {p["province_code"] for p in seen} == {"96"}
    back = await client.get(
        f"/v1/proposals?batch={batch}&limit=2&before={seen[-1]['id']}",
        headers=bearer(issued.officer_96),
    )
    assert [p["id"] for p in back.json()] == [p["id"] for p in seen[1:3]]
