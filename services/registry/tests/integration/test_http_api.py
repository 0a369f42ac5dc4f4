"""The registry HTTP contract over a real PostgreSQL (docs/registry-api.md)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from hoptac.platform.embedded import free_port
from hoptac.registry.adapters.tables import audit_log, organizations, outbox
from hoptac.registry.domain.validation import ReferenceData

from .conftest import Tokens, client_with

pytestmark = pytest.mark.integration

Body = Callable[..., dict[str, Any]]


async def register(client: httpx.AsyncClient, token: str, body: dict[str, Any]) -> dict[str, Any]:
    response = await client.post("/v1/organizations", json=body, headers=Tokens.header(token))
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


async def counts(engine: AsyncEngine) -> tuple[int, int]:
    async with engine.connect() as conn:
        orgs = await conn.scalar(select(func.count()).select_from(organizations))
        events = await conn.scalar(select(func.count()).select_from(outbox))
    return int(orgs or 0), int(events or 0)


async def test_registering_returns_id_version_and_etag(
    client: httpx.AsyncClient, issued: Tokens, make_body: Body
) -> None:
    response = await client.post(
        "/v1/organizations", json=make_body(), headers=Tokens.header(issued.admin)
    )
    assert response.status_code == 201
    body = response.json()
    assert body["version"] == 1
    assert body["id"]
    assert response.headers["etag"] == '"1"'
    assert response.headers["location"] == f"/v1/organizations/{body['id']}"


async def test_anonymous_readers_never_see_restricted_fields(
    client: httpx.AsyncClient, issued: Tokens, make_body: Body
) -> None:
    created = await register(client, issued.admin, make_body())
    public = (await client.get(f"/v1/organizations/{created['id']}")).json()
    assert public["legal_representative"] == {"name": "Nguyễn Văn An", "title": "Giám đốc"}
    assert "096080001234" not in str(public)
    staff = (
        await client.get(f"/v1/organizations/{created['id']}", headers=Tokens.header(issued.agency))
    ).json()
    assert staff["legal_representative"]["id_number"] == "096080001234"
    listed = (await client.get("/v1/organizations")).json()["items"]
    assert "096080001234" not in str(listed)


async def test_patch_needs_if_match_and_refuses_stale_versions(
    client: httpx.AsyncClient, issued: Tokens, make_body: Body
) -> None:
    created = await register(client, issued.admin, make_body())
    url = f"/v1/organizations/{created['id']}"
    headers = Tokens.header(issued.reviewer)
    assert (await client.patch(url, json={"members_count": 30}, headers=headers)).status_code == 428
    ok = await client.patch(url, json={"members_count": 30}, headers={**headers, "If-Match": '"1"'})
    assert ok.status_code == 200
    assert ok.headers["etag"] == '"2"'
    stale = await client.patch(
        url, json={"members_count": 31}, headers={**headers, "If-Match": '"1"'}
    )
    assert stale.status_code == 412
    assert "version 2" in stale.json()["message"]
    assert (await client.get(url)).json()["members_count"] == 30


async def test_a_reader_holding_the_current_version_gets_304_without_a_body(
    client: httpx.AsyncClient, issued: Tokens, make_body: Body
) -> None:
    created = await register(client, issued.admin, make_body())
    url = f"/v1/organizations/{created['id']}"
    held = await client.get(url, headers={"If-None-Match": '"1"'})
    assert (held.status_code, held.content, held.headers["etag"]) == (304, b"", '"1"')
    for other in ('"2"', "*", '"1", "2"', "nonsense"):
        assert (await client.get(url, headers={"If-None-Match": other})).status_code == 200
    past = await client.get(url, params={"as_of": "2025-06-01"}, headers={"If-None-Match": '"1"'})
    assert past.status_code == 200  # a day's record is always answered in full
    await client.patch(
        url,
        json={"members_count": 30},
        headers={**Tokens.header(issued.reviewer), "If-Match": '"1"'},
    )
    moved = await client.get(url, headers={"If-None-Match": '"1"'})
    assert (moved.status_code, moved.json()["members_count"]) == (200, 30)
    await client.post(
        f"{url}/status",
        json={
            "status": "suspended",
            "reason": "Đại hội quyết định",
            "suspended_until": "2027-06-30",
        },
        headers=Tokens.header(issued.reviewer),
    )
    suspended = await client.get(url, headers={"If-None-Match": '"3"'})
    assert suspended.status_code == 200  # its warning depends on the day, not the version
    unknown = await client.get(
        "/v1/organizations/00000000-0000-4000-8000-000000000000", headers={"If-None-Match": '"1"'}
    )
    assert unknown.status_code == 404


async def test_history_tells_who_when_why_and_what(
    client: httpx.AsyncClient, issued: Tokens, make_body: Body
) -> None:
    created = await register(client, issued.admin, make_body())
    url = f"/v1/organizations/{created['id']}"
    await client.patch(
        url,
        json={"members_count": 30, "effective_date": "2025-01-01"},
        headers={**Tokens.header(issued.reviewer), "If-Match": '"1"'},
    )
    await client.post(
        f"{url}/status",
        json={
            "status": "suspended",
            "reason": "Đại hội quyết định",
            "suspended_until": "2027-06-30",
        },
        headers=Tokens.header(issued.reviewer),
    )
    versions = (await client.get(f"{url}/history", headers=Tokens.header(issued.admin))).json()[
        "versions"
    ]
    assert [v["event_type"] for v in versions] == [
        "organization.registered",
        "organization.updated",
        "organization.status_changed",
    ]
    assert versions[1]["actor"] == "reviewer"
    assert versions[1]["effective_date"] == "2025-01-01"
    assert versions[1]["changes"] == [{"field": "members_count", "before": 25, "after": 30}]
    assert versions[2]["reason"] == "Đại hội quyết định"


async def test_reads_as_of_a_date_follow_effective_dates(
    client: httpx.AsyncClient, issued: Tokens, make_body: Body
) -> None:
    created = await register(client, issued.admin, make_body())
    url = f"/v1/organizations/{created['id']}"
    await client.post(
        f"{url}/status",
        json={
            "status": "dissolved",
            "effective_date": "2022-07-01",
            "reason": "Giải thể theo nghị quyết",
        },
        headers=Tokens.header(issued.reviewer),
    )
    before = (await client.get(url, params={"as_of": "2022-06-30"})).json()
    after = (await client.get(url, params={"as_of": "2022-07-01"})).json()
    assert (before["status"], after["status"]) == ("operating", "dissolved")
    too_early = await client.get(url, params={"as_of": "2000-01-01"})
    assert too_early.status_code == 404


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"members_count": -1}, "members_count"),
        ({"registered_on": "2023-02-30"}, "registered_on"),
        ({"registered_on": "2099-01-01"}, "registered_on"),
        ({"address": {"province_code": "99"}}, "address.province_code"),
        ({"address": {"province_code": "96", "commune_code": "00004"}}, "address.commune_code"),
        ({"kind": "company"}, "kind"),
        ({"sector": {"group": "agriculture", "vsic": ["0411"]}}, "sector.vsic.0"),
        ({"charter_capital": "nhiều"}, "charter_capital"),
        ({"unknown_field": 1}, "unknown_field"),
        ({"address": {"province_code": "96", "comune_code": "31825"}}, "address.comune_code"),
    ],
)
async def test_invalid_fields_get_422_with_their_path_and_change_nothing(
    client: httpx.AsyncClient,
    issued: Tokens,
    make_body: Body,
    engine: AsyncEngine,
    change: dict[str, Any],
    field: str,
) -> None:
    response = await client.post(
        "/v1/organizations", json=make_body(**change), headers=Tokens.header(issued.admin)
    )
    assert response.status_code == 422, response.text
    problems = response.json()["errors"]
    assert field in [p["field"] for p in problems], problems
    assert all(p["message"] for p in problems)
    assert await counts(engine) == (0, 0)


async def test_oversized_bodies_get_413(
    client: httpx.AsyncClient, issued: Tokens, make_body: Body
) -> None:
    body = make_body(name_foreign="x" * 300_000)
    response = await client.post(
        "/v1/organizations", json=body, headers=Tokens.header(issued.admin)
    )
    assert response.status_code == 413
    assert "bytes" in response.json()["message"]


async def test_invalid_transition_gets_409_and_changes_nothing(
    client: httpx.AsyncClient, issued: Tokens, make_body: Body, engine: AsyncEngine
) -> None:
    created = await register(client, issued.admin, make_body())
    url = f"/v1/organizations/{created['id']}/status"
    headers = Tokens.header(issued.reviewer)
    assert (
        await client.post(
            url, json={"status": "bankrupt", "reason": "Tòa án tuyên bố phá sản"}, headers=headers
        )
    ).status_code == 200
    refused = await client.post(
        url, json={"status": "operating", "reason": "Khôi phục"}, headers=headers
    )
    assert refused.status_code == 409
    assert "final" in refused.json()["message"]
    assert refused.json()["basis"] == [{"number": "17/2023/QH15", "provision": None}]
    assert refused.json()["rule"] == "status.bankrupt"  # the rule that made it final
    assert await counts(engine) == (1, 2)


async def test_registration_numbers_are_unique(
    client: httpx.AsyncClient, issued: Tokens, make_body: Body
) -> None:
    await register(client, issued.admin, make_body())
    again = await client.post(
        "/v1/organizations",
        json=make_body(name="Hợp tác xã Khác Hẳn"),
        headers=Tokens.header(issued.admin),
    )
    assert again.status_code == 409
    assert "6001000001" in again.json()["message"]


async def test_the_head_of_the_changes_moves_with_each_committed_change_only(
    client: httpx.AsyncClient, issued: Tokens, make_body: Body
) -> None:
    async def head() -> int:
        answer = await client.get("/v1/changes/head", headers=Tokens.header(issued.agency))
        assert answer.status_code == 200, answer.text
        value: int = answer.json()["head"]
        return value

    assert await head() == 0
    created = await register(client, issued.admin, make_body())
    first = await head()
    refused = await client.post(
        "/v1/organizations", json=make_body(), headers=Tokens.header(issued.admin)
    )
    assert refused.status_code == 409
    dry = await client.post(
        "/v1/organizations/batch",
        json={
            "dry_run": True,
            "changes": [{"op": "register", "body": make_body(registration_number="6001000002")}],
        },
        headers=Tokens.header(issued.admin),
    )
    assert dry.json()["applied"] == 1, dry.text
    assert await head() == first > 0
    await client.patch(
        f"/v1/organizations/{created['id']}",
        json={"workers_count": 3},
        headers={**Tokens.header(issued.admin), "If-Match": '"1"'},
    )
    assert await head() > first
    anonymous = await client.get("/v1/changes/head")
    assert anonymous.status_code == 401


async def test_a_confusingly_similar_name_gets_a_warning(
    client: httpx.AsyncClient, issued: Tokens, make_body: Body
) -> None:
    await register(client, issued.admin, make_body())
    second = await register(
        client,
        issued.admin,
        make_body(registration_number="6001000002", name="HTX Nông Nghiệp Tân Hưng"),
    )
    assert second["warnings"][0]["code"] == "similar_name"
    assert second["warnings"][0]["similar"][0]["registration_number"] == "6001000001"


async def test_who_may_write(client: httpx.AsyncClient, issued: Tokens, make_body: Body) -> None:
    anonymous = await client.post("/v1/organizations", json=make_body())
    assert anonymous.status_code == 401
    agency = await client.post(
        "/v1/organizations", json=make_body(), headers=Tokens.header(issued.agency)
    )
    assert agency.status_code == 403
    outside = await client.post(
        "/v1/organizations", json=make_body(), headers=Tokens.header(issued.officer_01)
    )
    assert outside.status_code == 403
    assert "province 96" in outside.json()["message"]
    inside = await client.post(
        "/v1/organizations", json=make_body(), headers=Tokens.header(issued.officer_96)
    )
    assert inside.status_code == 201
    bogus = await client.get("/v1/changes", headers={"Authorization": "Bearer nope"})
    assert bogus.status_code == 401


async def test_every_write_is_audited(
    client: httpx.AsyncClient, issued: Tokens, make_body: Body, engine: AsyncEngine
) -> None:
    created = await register(client, issued.officer_96, make_body())
    await client.patch(
        f"/v1/organizations/{created['id']}",
        json={"workers_count": 3},
        headers={**Tokens.header(issued.officer_96), "If-Match": '"1"'},
    )
    async with engine.connect() as conn:
        rows = (
            await conn.execute(
                select(audit_log)
                .where(audit_log.c.target == created["id"])
                .order_by(audit_log.c.id)
            )
        ).all()
    assert [(r.actor, r.action) for r in rows] == [
        ("officer_96", "organization.registered"),
        ("officer_96", "organization.updated"),
    ]
    assert rows[1].diff == [{"field": "workers_count", "before": 12, "after": 3}]
    assert rows[1].source.startswith("http ")


async def test_listing_filters_and_pages_with_a_cursor(
    client: httpx.AsyncClient, issued: Tokens, make_body: Body
) -> None:
    for number in range(5):
        await register(
            client,
            issued.admin,
            make_body(
                registration_number=f"70000{number}",
                name=f"Hợp tác xã Số {number} Khánh Bình",
                kind="cooperative_group" if number % 2 else "cooperative",
            ),
        )
    seen: list[str] = []
    cursor = None
    while True:
        params = {"kind": "cooperative", "limit": 2, **({"cursor": cursor} if cursor else {})}
        page = (await client.get("/v1/organizations", params=params)).json()
        seen += [item["registration_number"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert sorted(seen) == ["700000", "700002", "700004"]
    bad = await client.get("/v1/organizations", params={"cursor": "garbage"})
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "cursor"


async def test_merge_and_removal(
    client: httpx.AsyncClient, issued: Tokens, make_body: Body
) -> None:
    absorbed = await register(client, issued.admin, make_body())
    successor = await register(
        client,
        issued.admin,
        make_body(registration_number="6001000009", name="Hợp tác xã Dịch vụ Nông nghiệp Cái Nước"),
    )
    merged = await client.post(
        f"/v1/organizations/{absorbed['id']}/merge",
        json={"into": successor["id"], "reason": "Sáp nhập theo đại hội"},
        headers=Tokens.header(issued.reviewer),
    )
    assert merged.status_code == 200
    assert merged.json()["status"] == "dissolved"
    assert merged.json()["merged_into"] == successor["id"]
    officer = await client.delete(
        f"/v1/organizations/{successor['id']}",
        params={"reason": "Nhập nhầm"},
        headers=Tokens.header(issued.officer_96),
    )
    assert officer.status_code == 403
    removed = await client.delete(
        f"/v1/organizations/{successor['id']}",
        params={"reason": "Nhập nhầm"},
        headers=Tokens.header(issued.admin),
    )
    assert removed.status_code == 204
    assert (await client.get(f"/v1/organizations/{successor['id']}")).status_code == 410


async def test_vietnamese_text_is_stored_in_nfc(
    client: httpx.AsyncClient, issued: Tokens, make_body: Body
) -> None:
    import unicodedata

    decomposed = unicodedata.normalize("NFD", "Hợp tác xã Thủy sản Khánh Hòa")
    created = await register(client, issued.admin, make_body(name=decomposed))
    assert created["name"] == unicodedata.normalize("NFC", decomposed)


async def test_operations_endpoints(
    client: httpx.AsyncClient, issued: Tokens, make_body: Body
) -> None:
    await register(client, issued.admin, make_body())
    assert (await client.get("/healthz")).json()["status"] == "ok"
    assert (await client.get("/readyz")).status_code == 200
    metrics = (await client.get("/metrics")).text
    assert "hoptac_outbox_backlog 1.0" in metrics
    assert "hoptac_http_request_duration_seconds_bucket" in metrics


async def test_a_removed_record_frees_its_registration_number(
    client: httpx.AsyncClient, issued: Tokens, make_body: Body
) -> None:
    mistake = await register(client, issued.admin, make_body())
    await client.delete(
        f"/v1/organizations/{mistake['id']}",
        params={"reason": "Nhập nhầm"},
        headers=Tokens.header(issued.admin),
    )
    await register(client, issued.admin, make_body())


async def test_a_legacy_commune_that_disagrees_with_the_current_one_gets_a_warning(
    client: httpx.AsyncClient, issued: Tokens, make_body: Body
) -> None:
    # Legacy 31813 (Phường 2, Bạc Liêu) became 31825 (Phường Bạc Liêu), not 31834.
    address = {
        "province_code": "96",
        "commune_code": "31834",
        "legacy": {"province_code": "95", "commune_code": "31813"},
    }
    created = await register(client, issued.admin, make_body(address=address))
    assert [w["code"] for w in created["warnings"]] == ["legacy_commune_disagrees"]
    assert "31825" in created["warnings"][0]["message"]


async def test_a_postgresql_outage_is_a_json_503_with_retry_after_and_readiness_red(
    reference: ReferenceData, make_body: Body
) -> None:
    unreachable = f"postgresql+asyncpg://postgres@127.0.0.1:{free_port()}/hoptac_registry"
    async with client_with(unreachable, reference) as http:
        answers = [
            await http.get("/v1/organizations"),
            await http.post(
                "/v1/organizations", json=make_body(), headers={"Authorization": "Bearer x"}
            ),
            await http.get("/readyz"),
        ]
    for answer in answers:
        assert answer.status_code == 503, answer.text
        assert answer.json()["message"]
    assert [a.headers.get("Retry-After") for a in answers[:2]] == ["5", "5"]


async def test_events_name_the_writer_by_a_pseudonym_and_the_staff_history_by_name(
    client: httpx.AsyncClient, issued: Tokens, make_body: Body, engine: AsyncEngine
) -> None:
    created = await register(client, issued.reviewer, make_body())
    await register(client, issued.reviewer, make_body(registration_number="6001000002"))
    async with engine.connect() as conn:
        actors = (await conn.execute(select(outbox.c.actor))).scalars().all()
    assert len(set(actors)) == 1
    assert actors[0].startswith("token:")
    assert "reviewer" not in actors[0]
    history = await client.get(
        f"/v1/organizations/{created['id']}/history", headers=Tokens.header(issued.admin)
    )
    assert history.json()["versions"][0]["actor"] == "reviewer"
    public = await client.get(f"/v1/organizations/{created['id']}/history")
    assert public.json()["versions"][0]["actor"] is None
