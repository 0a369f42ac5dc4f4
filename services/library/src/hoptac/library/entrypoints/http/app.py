"""The library's ASGI app (`uvicorn --factory hoptac.library.entrypoints.http.app:create_app`).

The same process publishes the outbox (`adapters/relay.py`) and, on a new database, enters the
starting set of national documents (`seed/`).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from fastapi_offline import FastAPIOffline
from prometheus_client import CollectorRegistry, Gauge

from hoptac.library.adapters.register_rules import RegisterRules
from hoptac.library.adapters.relay import Relay, backlog_age
from hoptac.library.bootstrap import build_library
from hoptac.library.domain import errors
from hoptac.library.entrypoints.http import documents, provisions
from hoptac.library.handlers import Library
from hoptac.library.seed.loader import load_starting_set
from hoptac.library.settings import LibrarySettings
from hoptac.platform.error_answers import error_response
from hoptac.platform.http import NotReady, install_defaults
from hoptac.platform.identity import Identity, RegistryIdentity
from hoptac.platform.nats import connect
from hoptac.platform.text import Text

STATUS_OF: dict[type[errors.LibraryError], tuple[int, str]] = {
    errors.InvalidFields: (422, "invalid_request"),
    errors.FileRefused: (422, "file_refused"),
    errors.FileTooLarge: (413, "file_too_large"),
    errors.NotFound: (404, "not_found"),
    errors.Duplicate: (409, "duplicate"),
    errors.StaleVersion: (412, "stale_version"),
    errors.Unauthenticated: (401, "unauthenticated"),
    errors.NotAllowed: (403, "forbidden"),
    errors.Unavailable: (503, "unavailable"),
}


async def on_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, errors.LibraryError)
    status, code = STATUS_OF.get(type(exc), (400, "bad_request"))
    fields = exc.problems if isinstance(exc, errors.InvalidFields) else []
    return error_response(request, status, code, exc.message, fields)


def create_app(
    settings: LibrarySettings | None = None,
    library: Library | None = None,
    identity: Identity | None = None,
    rules: RegisterRules | None = None,
) -> FastAPI:
    settings = settings or LibrarySettings()
    service = library or build_library(settings, rules)
    who = identity or RegistryIdentity(settings.registry_url)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        stop = asyncio.Event()
        nc = await connect(settings.nats_url, "hoptac-library")
        relay = Relay(service.engine, nc, settings.relay_batch_size, settings.relay_poll_seconds)
        service.on_commit = relay.wake.set
        publishing = asyncio.create_task(
            relay.run(stop, settings.stream_max_age_days, settings.stream_replicas)
        )
        if settings.load_starting_set:
            await load_starting_set(service)
        yield
        stop.set()
        await publishing
        await nc.drain()
        await who.close()
        await service.rules.close()
        await service.engine.dispose()

    app = FastAPIOffline(  # /docs and /redoc from local files, not a CDN
        title="hoptac library",
        version="1",
        description="The policy library: laws, decrees, circulars, directives and decisions on "
        "the collective economy, with their files. Reading is public; adding and correcting "
        "needs `Authorization: Bearer <registry token>` of a reviewer or an admin.",
        lifespan=lifespan,
    )
    app.state.library = service
    app.state.identity = who
    metrics = CollectorRegistry()
    lag = Gauge(
        "hoptac_library_outbox_oldest_unpublished_seconds",
        "Age of the oldest library event not yet published",
        registry=metrics,
    )

    async def ready() -> None:
        age = await backlog_age(service.engine)
        if age > settings.outbox_max_age_seconds:
            raise NotReady(Text("library.backlog_too_old", oldest=f"{age:.0f}"))

    async def refresh() -> None:
        lag.set(await backlog_age(service.engine))

    install_defaults(
        app,
        "library",
        metrics,
        ready,
        settings.max_body_bytes,
        refresh,
        guard=settings.http_guard(),
    )
    app.add_exception_handler(errors.LibraryError, on_error)
    app.include_router(documents.router)
    app.include_router(documents.changes_router)
    app.include_router(provisions.router)
    app.include_router(provisions.cited_router)
    return app
