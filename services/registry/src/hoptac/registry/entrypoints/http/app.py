"""The registry's ASGI app: `uvicorn --factory hoptac.registry.entrypoints.http.app:create_app`."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from fastapi_offline import FastAPIOffline
from prometheus_client import CollectorRegistry, Gauge

from hoptac.platform.dsn import asyncpg_dsn
from hoptac.platform.error_answers import error_response
from hoptac.platform.http import install_defaults
from hoptac.platform.startup_memory import freeze_startup_objects
from hoptac.registry.adapters import outbox, tokens
from hoptac.registry.adapters.listening import listen
from hoptac.registry.adapters.tokens import RecentPrincipals
from hoptac.registry.bootstrap import build_registry
from hoptac.registry.domain import errors
from hoptac.registry.entrypoints.http import (
    accounts,
    audit,
    batch,
    changes,
    organizations,
    reference,
    sessions,
    whoami,
)
from hoptac.registry.entrypoints.http import (
    tokens as token_routes,
)
from hoptac.registry.entrypoints.http.auth import TokenExpiryNotice
from hoptac.registry.entrypoints.http.problems import extra_of, status_of
from hoptac.registry.entrypoints.http.quota import RestrictedQuota
from hoptac.registry.entrypoints.http.sessions import SignInRules
from hoptac.registry.handlers import Registry
from hoptac.registry.settings import RegistrySettings


async def on_domain_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, errors.DomainError)
    status, code = status_of(exc)
    fields = exc.problems if isinstance(exc, errors.InvalidFields) else []
    retry = {"Retry-After": str(exc.retry_after)} if isinstance(exc, errors.QuotaExceeded) else None
    return error_response(request, status, code, exc.message, fields, retry, extra_of(exc))


def create_app(
    settings: RegistrySettings | None = None, registry: Registry | None = None
) -> FastAPI:
    settings = settings or RegistrySettings()
    service = registry or build_registry(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        stop = asyncio.Event()
        dsn = asyncpg_dsn(service.engine.url.render_as_string(hide_password=False))
        revocations = asyncio.create_task(
            listen(
                dsn, tokens.REVOKED_CHANNEL, lambda: app.state.recent_principals.forget_all(), stop
            )
        )
        freeze_startup_objects()
        yield
        stop.set()
        await revocations
        await service.engine.dispose()

    app = FastAPIOffline(  # /docs and /redoc from local files, not a CDN
        title="hoptac registry",
        version="1",
        description="The register of cooperatives, cooperative unions, cooperative groups and "
        "people's credit funds. Writes need `Authorization: Bearer <token>` (an API token, "
        "or a person's session from POST /v1/sessions).",
        lifespan=lifespan,
    )
    app.state.registry = service
    app.state.batch_max_rows = settings.batch_max_rows
    app.state.recent_principals = RecentPrincipals(settings.token_cache_seconds)
    app.state.restricted_quota = RestrictedQuota(
        service.engine, settings.restricted_records_per_hour
    )
    app.state.sign_in_rules = SignInRules.of(settings)
    metrics = CollectorRegistry()
    backlog = Gauge("hoptac_outbox_backlog", "Outbox rows not yet published", registry=metrics)
    lag = Gauge(
        "hoptac_outbox_oldest_unpublished_seconds",
        "Age of the oldest outbox row not yet published (publish lag)",
        registry=metrics,
    )

    held = Gauge(
        "hoptac_outbox_held",
        "Outbox rows set aside because JetStream cannot take them, waiting for an operator",
        registry=metrics,
    )

    async def ready() -> None:
        async with service.engine.connect() as conn:
            await outbox.check_backlog(conn, settings.outbox_max_age_seconds)

    async def refresh() -> None:
        async with service.engine.connect() as conn:
            count, oldest = await outbox.backlog(conn)
            held.set(await outbox.held_count(conn))
        backlog.set(count)
        lag.set(oldest)

    install_defaults(
        app,
        "registry",
        metrics,
        ready,
        settings.max_body_bytes,
        refresh,
        guard=settings.http_guard(),
        larger_bodies={batch.PATH: settings.batch_max_body_bytes},
    )
    app.add_exception_handler(errors.DomainError, on_domain_error)
    app.add_middleware(TokenExpiryNotice, warn_days=settings.token_expiry_warning_days)
    app.include_router(batch.router)
    app.include_router(organizations.router)
    app.include_router(changes.router)
    app.include_router(whoami.router)
    app.include_router(reference.router)
    app.include_router(sessions.router)
    app.include_router(accounts.router)
    app.include_router(audit.router)
    app.include_router(token_routes.router)
    return app
