"""The registry's API in two processes (as `hoptac run` serves it) behaves as in one: what one
process ends, counts or spends, the other sees, whatever it holds in memory."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from hoptac.platform.testing import wait_until
from hoptac.registry.adapters.tokens import RecentPrincipals
from hoptac.registry.bootstrap import build_registry
from hoptac.registry.domain.access import Role
from hoptac.registry.domain.validation import ReferenceData
from hoptac.registry.entrypoints.http.app import create_app
from hoptac.registry.settings import RegistrySettings

from .conftest import Tokens
from .test_accounts import PASSWORD, attempt, make_account, signed_in

pytestmark = pytest.mark.integration


@contextlib.asynccontextmanager
async def process(registry_url: str, reference: ReferenceData) -> AsyncIterator[httpx.AsyncClient]:
    """One registry process: its own app, pool and revocation listener, and a token cache that
    only a notice empties."""
    service = build_registry(RegistrySettings(database_url=registry_url), reference=reference)
    app = create_app(RegistrySettings(database_url=registry_url), service)
    app.state.recent_principals = RecentPrincipals(ttl_seconds=3600)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://registry") as http:
            yield http


@pytest.fixture
async def two(
    registry_url: str, reference: ReferenceData
) -> AsyncIterator[tuple[httpx.AsyncClient, httpx.AsyncClient]]:
    async with (
        process(registry_url, reference) as first,
        process(registry_url, reference) as second,
    ):
        yield first, second


async def refused_by(http: httpx.AsyncClient, credential: dict[str, str]) -> bool:
    return (await http.get("/v1/whoami", headers=credential)).status_code == 401


async def test_a_session_ended_in_one_process_is_refused_by_the_other(
    two: tuple[httpx.AsyncClient, httpx.AsyncClient], engine: AsyncEngine
) -> None:
    first, second = two
    await make_account(engine, "lan.nguyen", Role.REVIEWER)
    session = Tokens.header(await signed_in(first, "lan.nguyen"))
    assert (await second.get("/v1/whoami", headers=session)).status_code == 200  # now cached
    assert (await first.delete("/v1/sessions/current", headers=session)).status_code == 204
    await wait_until(lambda: refused_by(second, session), message="the other process's cache")


async def test_a_token_revoked_through_one_process_is_refused_by_the_other(
    two: tuple[httpx.AsyncClient, httpx.AsyncClient], issued: Tokens
) -> None:
    first, second = two
    reviewer = Tokens.header(issued.reviewer)
    assert (await second.get("/v1/whoami", headers=reviewer)).status_code == 200
    revoked = await first.post("/v1/tokens/reviewer/revoke", headers=Tokens.header(issued.admin))
    assert revoked.status_code == 204
    await wait_until(lambda: refused_by(second, reviewer), message="the other process's cache")


async def test_failed_sign_ins_in_one_process_delay_the_next_in_the_other(
    two: tuple[httpx.AsyncClient, httpx.AsyncClient], engine: AsyncEngine
) -> None:
    first, second = two
    await make_account(engine, "lan.nguyen", Role.REVIEWER)
    for _ in range(5):
        assert (await attempt(first, "lan.nguyen", "wrong password")).status_code == 403
    assert (await attempt(second, "lan.nguyen", PASSWORD)).status_code == 429
