"""A reviewer puts right a status entered by mistake; a suspension is extended; a suspension
past its end is flagged; every change, a PATCH included, carries its reason."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest

from .conftest import Tokens

pytestmark = pytest.mark.integration

REASON = "Nhập nhầm trạng thái"


async def registered(
    client: httpx.AsyncClient, issued: Tokens, make_body: Callable[..., dict[str, Any]]
) -> str:
    answer = await client.post(
        "/v1/organizations", json=make_body(), headers=Tokens.header(issued.admin)
    )
    assert answer.status_code == 201
    return str(answer.json()["id"])


async def status(client: httpx.AsyncClient, org_id: str, token: str, **body: Any) -> httpx.Response:
    return await client.post(
        f"/v1/organizations/{org_id}/status",
        json={"reason": REASON, **body},
        headers=Tokens.header(token),
    )


async def test_a_reviewer_corrects_a_final_status_entered_by_mistake(
    client: httpx.AsyncClient, issued: Tokens, make_body: Callable[..., dict[str, Any]]
) -> None:
    org_id = await registered(client, issued, make_body)
    mistake = await status(
        client, org_id, issued.admin, status="dissolved", effective_date="2024-05-01"
    )
    assert mistake.status_code == 200
    refused = await status(client, org_id, issued.admin, status="operating")
    assert refused.status_code == 409
    assert '"correction": true' in refused.json()["message"]
    officer = await status(client, org_id, issued.officer_96, status="operating", correction=True)
    assert officer.status_code == 403
    corrected = await status(
        client, org_id, issued.reviewer, status="operating", correction=True,
        effective_date="2024-05-01",
    )  # fmt: skip
    assert corrected.status_code == 200, corrected.text
    assert corrected.json()["status"] == "operating"
    on_the_day = await client.get(f"/v1/organizations/{org_id}?as_of=2024-06-01")
    assert on_the_day.json()["status"] == "operating"


async def test_a_suspension_is_extended_and_one_past_its_end_is_flagged(
    client: httpx.AsyncClient, issued: Tokens, make_body: Callable[..., dict[str, Any]]
) -> None:
    org_id = await registered(client, issued, make_body)
    suspended = await status(
        client, org_id, issued.admin, status="suspended", effective_date="2025-01-02",
        suspended_until="2025-06-30",
    )  # fmt: skip
    assert suspended.status_code == 200, suspended.text
    read = await client.get(f"/v1/organizations/{org_id}")
    assert [w["code"] for w in read.json()["warnings"]] == ["suspension_overdue"]
    shorter = await status(
        client, org_id, issued.admin, status="suspended", suspended_until="2025-03-01"
    )
    assert shorter.status_code == 422
    extended = await status(
        client, org_id, issued.admin, status="suspended", suspended_until="2099-06-30"
    )
    assert extended.status_code == 200, extended.text
    assert extended.json()["suspended_until"] == "2099-06-30"
    assert extended.json()["status_since"] == "2025-01-02"
    assert "warnings" not in (await client.get(f"/v1/organizations/{org_id}")).json()


async def test_a_patch_carries_its_reason_into_the_history(
    client: httpx.AsyncClient, issued: Tokens, make_body: Callable[..., dict[str, Any]]
) -> None:
    org_id = await registered(client, issued, make_body)
    answer = await client.patch(
        f"/v1/organizations/{org_id}",
        json={"members_count": 40, "reason": "Đại hội thành viên kết nạp thêm"},
        headers={**Tokens.header(issued.admin), "If-Match": '"1"'},
    )
    assert answer.status_code == 200, answer.text
    history = (await client.get(f"/v1/organizations/{org_id}/history")).json()["versions"]
    assert history[-1]["reason"] == "Đại hội thành viên kết nạp thêm"
    assert [c["field"] for c in history[-1]["changes"]] == ["members_count"]
