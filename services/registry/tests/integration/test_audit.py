"""GET /v1/audit: who did what, when, from where; for admins and reviewers only, filtered, a page
at a time, with restricted values hidden from reviewers as in history."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest

from .conftest import Tokens

pytestmark = pytest.mark.integration


async def test_the_audit_log_names_who_changed_what_for_admins_and_reviewers_only(
    client: httpx.AsyncClient, issued: Tokens, make_body: Callable[..., dict[str, Any]]
) -> None:
    created = await client.post(
        "/v1/organizations", json=make_body(), headers=Tokens.header(issued.officer_96)
    )
    org_id = created.json()["id"]
    for token in (issued.officer_96, issued.agency):
        assert (await client.get("/v1/audit", headers=Tokens.header(token))).status_code == 403
    assert (await client.get("/v1/audit")).status_code == 401

    admin = await client.get(
        "/v1/audit",
        params={"action": "organization.", "target": org_id},
        headers=Tokens.header(issued.admin),
    )
    (entry,) = admin.json()["items"]
    assert (entry["actor"], entry["action"]) == ("officer_96", "organization.registered")
    assert entry["source"].startswith("http ")
    shown = {c["field"]: c["after"] for c in entry["changes"]}
    assert shown["legal_representative.id_number"] == "096080001234"

    reviewer = await client.get(
        "/v1/audit", params={"target": org_id}, headers=Tokens.header(issued.reviewer)
    )
    hidden = {c["field"]: c["after"] for c in reviewer.json()["items"][0]["changes"]}
    assert hidden["legal_representative.id_number"] != "096080001234"


async def test_the_audit_log_pages_newest_first(
    client: httpx.AsyncClient, issued: Tokens, make_body: Callable[..., dict[str, Any]]
) -> None:
    for number in range(3):
        body = make_body(registration_number=f"8{number}", name=f"Hợp tác xã Trang {number}")
        await client.post("/v1/organizations", json=body, headers=Tokens.header(issued.admin))
    headers = Tokens.header(issued.admin)
    first = (await client.get("/v1/audit", params={"limit": 2}, headers=headers)).json()
    rest = await client.get(
        "/v1/audit", params={"limit": 2, "before": first["next_before"]}, headers=headers
    )
    ids = [e["id"] for e in first["items"] + rest.json()["items"]]
    assert ids == sorted(ids, reverse=True)
    assert len(set(ids)) == len(ids) >= 3
