"""The registry on a benchmark stack: a migrated database, an admin token, the HTTP process and
the outbox relay, as `make run` starts them. Every benchmark whose data comes from the registry
(search, reporting, notifications) starts it this way and writes through its HTTP API."""

from __future__ import annotations

import os
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import create_async_engine

from bench.common.stack import (
    BENCH_CLIENT,
    Service,
    Stack,
    python_module,
    uvicorn_app,
    wait_http_ready,
)
from hoptac.platform.embedded.ports import free_port
from hoptac.registry.adapters import tokens
from hoptac.registry.adapters.migrations import migrate_async
from hoptac.registry.adapters.repository import WriteContext
from hoptac.registry.domain.access import Role

APP_FACTORY = "hoptac.registry.entrypoints.http.app:create_app"
RELAY_MODULE = "hoptac.registry.entrypoints.relay"


@dataclass
class Registry:
    url: str
    token: str
    database_url: str  # SQLAlchemy form
    dsn: str  # asyncpg/libpq form
    env: dict[str, str]
    api: Service
    relay: Service | None

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


async def start_registry(
    stack: Stack,
    *,
    database: str = "hoptac_registry",
    relay_batch_size: int = 256,
    pool_size: int | None = None,
    with_relay: bool = True,
    extra_env: dict[str, str] | None = None,
    workers: int = 1,
) -> Registry:
    database_url = stack.postgres.create_database(database)
    await migrate_async(database_url)
    token = await _admin_token(database_url)
    port = free_port()
    env = {
        **os.environ,
        "HOPTAC_REGISTRY_DATABASE_URL": database_url,
        "HOPTAC_REGISTRY_NATS_URL": stack.nats.url,
        "HOPTAC_REGISTRY_PORT": str(port),
        "HOPTAC_REGISTRY_RATE_LIMIT_EXEMPT": BENCH_CLIENT,
        "HOPTAC_REGISTRY_RELAY_PORT": "0",
        "HOPTAC_REGISTRY_RELAY_BATCH_SIZE": str(relay_batch_size),
    }
    if pool_size is not None:
        env["HOPTAC_REGISTRY_DATABASE_POOL_SIZE"] = str(pool_size)
    env.update(extra_env or {})
    api = stack.spawn("registry", uvicorn_app(APP_FACTORY, port, workers), env)
    url = f"http://127.0.0.1:{port}"
    await wait_http_ready(f"{url}/readyz", api)
    registry = Registry(url, token, database_url, stack.postgres.dsn(database), env, api, None)
    if with_relay:
        start_relay(stack, registry)
    return registry


def start_relay(stack: Stack, registry: Registry) -> Service:
    """Start (or start again) the outbox relay of `registry`."""
    if registry.relay is not None:
        registry.relay.stop()
    registry.relay = stack.spawn("registry-relay", python_module(RELAY_MODULE), registry.env)
    return registry.relay


async def _admin_token(database_url: str) -> str:
    engine = create_async_engine(database_url)
    try:
        async with engine.begin() as conn:
            return await tokens.create_token(
                conn, "bench-admin", Role.ADMIN, [], [], WriteContext("bench", "bench", None)
            )
    finally:
        await engine.dispose()
