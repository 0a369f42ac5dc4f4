"""Public challenges: anyone reports an error on one record, bounded against abuse; the task
reaches the officers of the record's area only, with the contact the public never sees; the
record shows an open challenge; the figures per province are public. (Data quality:
test_quality_and_campaigns.py.)"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from .conftest import Tokens, bearer, limited_client

pytestmark = pytest.mark.integration


async def registered(registry: httpx.AsyncClient, token: str, province: str = "96") -> str:
    commune = {"96": "31825", "01": "00004"}[province]
    body = {
        "registration_number": f"{province}01000001",
        "name": "Hợp tác xã Nông nghiệp Tân Hưng",
        "kind": "cooperative",
        "registered_on": "2015-03-12",
        "address": {"province_code": province, "commune_code": commune},
        "sector": {"group": "agriculture"},
    }
    answer = await registry.post("/v1/organizations", json=body, headers=bearer(token))
    assert answer.status_code == 201, answer.text
    return str(answer.json()["id"])


def report(org_id: str, **extra: Any) -> dict[str, Any]:
    return {
        "organization_id": org_id,
        "fields": ["members_count"],
        "what": "Hợp tác xã chỉ còn 12 thành viên, không phải 25.",
        "contact": "0912 345 678",
        **extra,
    }


async def test_a_challenge_reaches_the_officers_of_the_records_area_only(
    client: httpx.AsyncClient, registry: httpx.AsyncClient, issued: Tokens
) -> None:
    org_id = await registered(registry, issued.admin)

    opened = await client.post("/v1/challenges", json=report(org_id))
    for_ca_mau = await client.get("/v1/challenges", headers=bearer(issued.officer_96))
    for_ha_noi = await client.get("/v1/challenges", headers=bearer(issued.officer_01))
    shown = await client.get("/v1/challenges/open", params={"organization_id": org_id})

    assert opened.status_code == 201, opened.text
    assert opened.json()["due_on"]
    (task,) = for_ca_mau.json()
    assert (task["organization_id"], task["contact"], task["late"]) == (
        org_id,
        "0912 345 678",
        False,
    )
    assert for_ha_noi.json() == []
    assert shown.json()["open"] == 1
    assert "0912" not in shown.text


async def test_a_resolved_challenge_closes_and_is_counted_per_province(
    client: httpx.AsyncClient, registry: httpx.AsyncClient, issued: Tokens
) -> None:
    org_id = await registered(registry, issued.admin)
    opened = (await client.post("/v1/challenges", json=report(org_id))).json()

    elsewhere = await client.post(
        f"/v1/challenges/{opened['id']}/resolve",
        json={"resolution": "Đã xác minh, sửa số thành viên."},
        headers=bearer(issued.officer_01),
    )
    resolved = await client.post(
        f"/v1/challenges/{opened['id']}/resolve",
        json={"resolution": "Đã xác minh, sửa số thành viên."},
        headers=bearer(issued.officer_96),
    )
    figures = (await client.get("/v1/challenges/figures")).json()
    shown = await client.get("/v1/challenges/open", params={"organization_id": org_id})

    assert elsewhere.status_code == 404
    assert resolved.json()["resolved_by"] == "officer_96"
    assert figures == [{"province_code": "96", "opened": 1, "resolved": 1, "late": 0}]
    assert shown.json()["open"] == 0


async def test_abuse_is_bounded_by_size_rate_and_a_honeypot(
    collection_url: str,
    registry_transport: httpx.ASGITransport,
    registry: httpx.AsyncClient,
    issued: Tokens,
) -> None:
    org_id = await registered(registry, issued.admin)
    async with limited_client(collection_url, registry_transport, challenges_per_hour=2) as http:
        too_long = await http.post("/v1/challenges", json=report(org_id, what="x" * 2001))
        robot = await http.post("/v1/challenges", json=report(org_id, website="http://spam"))
        unknown = await http.post(
            "/v1/challenges", json=report("00000000-0000-4000-8000-000000000000")
        )
        sent = [
            (await http.post("/v1/challenges", json=report(org_id))).status_code for _ in range(3)
        ]
        tasks = await http.get("/v1/challenges", headers=bearer(issued.admin))

    assert too_long.status_code == 422
    assert robot.status_code == 201
    assert sent == [201, 201, 429]
    assert unknown.status_code == 404, unknown.text
    assert len(tasks.json()) == 2
