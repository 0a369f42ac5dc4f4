"""GET /v1/whoami: other services learn what a registry token is allowed to see."""

from __future__ import annotations

from datetime import date

import httpx
import pytest

from .conftest import Tokens

pytestmark = pytest.mark.integration


async def test_whoami_tells_name_role_and_area(client: httpx.AsyncClient, issued: Tokens) -> None:
    response = await client.get("/v1/whoami", headers=Tokens.header(issued.officer_96))
    assert response.status_code == 200
    body = response.json()
    assert body.pop("expires_at").startswith(str(date.today().year + 1))
    assert body == {
        "name": "officer_96",
        "role": "area_officer",
        "provinces": ["96"],
        "communes": [],
    }


async def test_whoami_refuses_a_missing_or_unknown_token(client: httpx.AsyncClient) -> None:
    assert (await client.get("/v1/whoami")).status_code == 401
    unknown = await client.get("/v1/whoami", headers={"Authorization": "Bearer nope"})
    assert unknown.status_code == 401
    assert "unknown, revoked or expired" in unknown.json()["message"]
