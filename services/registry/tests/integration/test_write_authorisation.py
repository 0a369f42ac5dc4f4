"""Every write refuses a caller who may not make it first: before the body is read, before a
field is validated, before the version is compared, before a no-op is noticed."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from .conftest import Tokens
from .test_bad_input import events

pytestmark = pytest.mark.integration

NOT_JSON = b"{this is not json"
# Each write, with a body that would itself be refused (malformed), a stale If-Match, and for
# DELETE a missing reason: whatever the caller sent, the answer is about who they are.
WRITES = [
    ("POST", "/v1/organizations", {}),
    ("PATCH", "/v1/organizations/{id}", {"If-Match": '"99"'}),
    ("POST", "/v1/organizations/{id}/status", {"If-Match": '"99"'}),
    ("POST", "/v1/organizations/{id}/merge", {"If-Match": '"99"'}),
    ("DELETE", "/v1/organizations/{id}", {"If-Match": '"99"'}),
]
CALLERS = [
    ("nobody", None, 401),
    ("a bad token", "hoptac_not-a-real-token", 401),
    ("an agency reader", "agency", 403),
]


@pytest.fixture
async def org_id(
    client: httpx.AsyncClient, issued: Tokens, make_body: Callable[..., dict[str, Any]]
) -> str:
    created = await client.post(
        "/v1/organizations", json=make_body(), headers=Tokens.header(issued.admin)
    )
    assert created.status_code == 201
    return str(created.json()["id"])


@pytest.mark.parametrize(("method", "path", "headers"), WRITES)
@pytest.mark.parametrize(("who", "token", "status"), CALLERS)
async def test_a_caller_who_may_not_write_is_refused_before_anything_else(
    client: httpx.AsyncClient,
    issued: Tokens,
    engine: AsyncEngine,
    org_id: str,
    method: str,
    path: str,
    headers: dict[str, str],
    who: str,
    token: str | None,
    status: int,
) -> None:
    before = await events(engine)
    sent = dict(headers, **{"Content-Type": "application/json"})
    if token is not None:
        sent["Authorization"] = f"Bearer {getattr(issued, token, token)}"
    answer = await client.request(method, path.format(id=org_id), content=NOT_JSON, headers=sent)
    assert answer.status_code == status, f"{who}: {answer.text}"
    assert await events(engine) == before


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("PATCH", "/v1/organizations/{id}", {"members_count": 25}),  # a no-op
        ("POST", "/v1/organizations/{id}/status", {"status": "dissolved", "reason": "thử"}),
    ],
)
async def test_an_officer_of_another_area_is_refused_before_the_version_or_the_rules(
    client: httpx.AsyncClient, issued: Tokens, org_id: str, method: str, path: str, body: Any
) -> None:
    answer = await client.request(
        method,
        path.format(id=org_id),
        json=body,
        headers={**Tokens.header(issued.officer_01), "If-Match": '"99"'},
    )
    assert answer.status_code == 403, answer.text
