"""Tokens expire, say so beforehand, and a revoked token stops working at once in every registry
that hears the revocation, whatever its cache."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from hoptac.platform.testing import wait_until
from hoptac.registry.adapters import tokens
from hoptac.registry.adapters.repository import WriteContext
from hoptac.registry.adapters.tokens import RecentPrincipals
from hoptac.registry.domain.access import Role
from hoptac.registry.entrypoints.http.app import create_app
from hoptac.registry.handlers import Registry
from hoptac.registry.settings import RegistrySettings

pytestmark = pytest.mark.integration

CONTEXT = WriteContext("test", "pytest", None)


async def make_token(engine: AsyncEngine, name: str, lifetime: timedelta) -> str:
    async with engine.begin() as conn:
        return await tokens.create_token(conn, name, Role.REVIEWER, [], [], CONTEXT, lifetime)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def test_a_revoked_token_stops_working_although_it_is_cached(
    registry_url: str, registry: Registry, engine: AsyncEngine
) -> None:
    token = await make_token(engine, "soon-revoked", timedelta(days=30))
    app = create_app(RegistrySettings(database_url=registry_url), registry)
    app.state.recent_principals = RecentPrincipals(ttl_seconds=3600)  # only a notice empties it
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://registry") as http:
            assert (await http.get("/v1/whoami", headers=bearer(token))).status_code == 200
            async with engine.begin() as conn:
                assert await tokens.revoke_token(conn, "soon-revoked", CONTEXT)

            async def refused() -> bool:
                answer = await http.get("/v1/whoami", headers=bearer(token))
                return answer.status_code == 401

            await wait_until(refused, message="the revoked token still works")


async def test_an_expired_token_is_refused(client: httpx.AsyncClient, engine: AsyncEngine) -> None:
    token = await make_token(engine, "expired", timedelta(seconds=-1))
    answer = await client.get("/v1/whoami", headers=bearer(token))
    assert answer.status_code == 401
    assert "expired" in answer.json()["message"]


async def test_a_token_near_its_expiry_says_when_it_expires(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    soon = await make_token(engine, "expires-soon", timedelta(days=10))
    later = await make_token(engine, "expires-later", timedelta(days=300))
    warned = await client.get("/v1/whoami", headers=bearer(soon))
    quiet = await client.get("/v1/whoami", headers=bearer(later))
    assert warned.headers["Hoptac-Token-Expires"] == warned.json()["expires_at"]
    assert "Hoptac-Token-Expires" not in quiet.headers
    assert quiet.json()["expires_at"] is not None
