"""Admins manage tokens over HTTP: create (shown once), list, rotate (the old secret stops at
once), revoke; nobody else may."""

from __future__ import annotations

import httpx
import pytest

from .conftest import Tokens

pytestmark = pytest.mark.integration


async def test_an_admin_creates_rotates_and_revokes_a_token(
    client: httpx.AsyncClient, issued: Tokens
) -> None:
    admin = Tokens.header(issued.admin)
    body = {"name": "so-nong-nghiep", "role": "agency_reader", "expires_in_days": 30}
    created = await client.post("/v1/tokens", json=body, headers=admin)
    assert created.status_code == 201
    first = Tokens.header(created.json()["token"])
    assert (await client.get("/v1/whoami", headers=first)).json()["name"] == "so-nong-nghiep"
    listed = (await client.get("/v1/tokens", headers=admin)).json()["tokens"]
    assert "so-nong-nghiep" in {t["name"] for t in listed}
    assert all("token" not in t for t in listed)

    rotated = await client.post("/v1/tokens/so-nong-nghiep/rotate", json={}, headers=admin)
    second = Tokens.header(rotated.json()["token"])
    assert (await client.get("/v1/whoami", headers=first)).status_code == 401
    assert (await client.get("/v1/whoami", headers=second)).status_code == 200

    revoked = await client.post("/v1/tokens/so-nong-nghiep/revoke", headers=admin)
    assert revoked.status_code == 204
    assert (await client.get("/v1/whoami", headers=second)).status_code == 401
    again = await client.post("/v1/tokens/so-nong-nghiep/revoke", headers=admin)
    assert again.status_code == 404


async def test_only_admins_manage_tokens(client: httpx.AsyncClient, issued: Tokens) -> None:
    for token in (issued.reviewer, issued.officer_96):
        headers = Tokens.header(token)
        assert (await client.get("/v1/tokens", headers=headers)).status_code == 403
        body = {"name": "mine", "role": "admin"}
        assert (await client.post("/v1/tokens", json=body, headers=headers)).status_code == 403
        rotate = await client.post("/v1/tokens/admin/rotate", json={}, headers=headers)
        assert rotate.status_code == 403
