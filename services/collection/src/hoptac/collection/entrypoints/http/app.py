"""The collection ASGI app (`uvicorn --factory …collection.entrypoints.http.app:create_app`)."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from fastapi_offline import FastAPIOffline
from prometheus_client import CollectorRegistry
from sqlalchemy import text

from hoptac.collection.adapters.notifications import NotificationsClient
from hoptac.collection.bootstrap import build_collection
from hoptac.collection.campaigns import Campaigns
from hoptac.collection.challenges import Challenges
from hoptac.collection.domain import errors
from hoptac.collection.entrypoints.events import Background
from hoptac.collection.entrypoints.http import campaigns, challenges, imports, proposals, quality
from hoptac.collection.handlers import Collection
from hoptac.collection.scores import Scores
from hoptac.collection.settings import CollectionSettings
from hoptac.platform.error_answers import error_response
from hoptac.platform.http import NotReady, install_defaults
from hoptac.platform.startup_memory import freeze_startup_objects
from hoptac.platform.text import Text

log = logging.getLogger("hoptac.collection.http")

STATUS_OF: dict[type[errors.CollectionError], tuple[int, str]] = {
    errors.Unauthenticated: (401, "unauthenticated"),
    errors.NotAllowed: (403, "forbidden"),
    errors.NotFound: (404, "not_found"),
    errors.Conflict: (409, "conflict"),
    errors.Unavailable: (503, "unavailable"),
    errors.TooMany: (429, "too_many"),
}


RETRY_AFTER = {429: "3600", 503: "5"}


async def on_error(request: Request, exc: Exception) -> JSONResponse:
    """The error shape every service answers with, in the language the request asks for."""
    assert isinstance(exc, errors.CollectionError)
    status, code = STATUS_OF.get(type(exc), (400, "bad_request"))
    headers = {"Retry-After": RETRY_AFTER[status]} if status in RETRY_AFTER else None
    return error_response(request, status, code, exc.message, headers=headers)


def create_app(
    settings: CollectionSettings | None = None,
    service: Collection | None = None,
    notifications: NotificationsClient | None = None,
) -> FastAPI:
    settings = settings or CollectionSettings()
    collection = service or build_collection(settings)
    notifier = notifications or NotificationsClient(settings.notifications_url)
    metrics = CollectorRegistry()
    scores = Scores(collection.engine, collection.clock)
    runs = Campaigns(collection.engine, notifier, collection.clock)
    background = Background(settings, scores, runs, metrics) if settings.consume else None

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if background is not None:
            await background.start()
        freeze_startup_objects()
        yield
        if background is not None:
            await background.stop()
        await notifier.close()
        await collection.registry.close()
        await collection.identity.close()
        await collection.engine.dispose()

    app = FastAPIOffline(  # /docs and /redoc from local files, not a CDN
        title="hoptac collection",
        version="1",
        description="Survey templates, imports checked row by row, and the review of the "
        "changes they propose. Every route but the templates needs "
        "`Authorization: Bearer <registry token>`.",
        lifespan=lifespan,
    )
    app.state.collection = collection
    app.state.scores = scores
    app.state.campaigns = runs
    app.state.challenges = Challenges(
        collection.engine, collection.registry, collection.clock, settings.challenges_per_hour
    )

    async def ready() -> None:
        try:
            async with collection.engine.connect() as conn:
                await conn.execute(text("SELECT 1 FROM import_batches LIMIT 1"))
        except Exception as error:
            log.warning("not ready: the database check failed (%s)", type(error).__name__)
            raise NotReady(Text("collection.database_not_ready")) from error
        if background is not None:
            background.check_ready()  # the quality scores follow the registry's stream

    async def refresh() -> None:
        if background is not None:
            await background.lag()  # sets hoptac_consumer_lag{consumer="collection"}

    install_defaults(
        app,
        "collection",
        metrics,
        ready,
        settings.max_body_bytes,
        refresh,
        guard=settings.http_guard(),
        # An upload is a file plus its multipart envelope.
        larger_bodies={imports.UPLOAD_PATH: settings.max_upload_bytes + 64_000},
    )
    app.add_exception_handler(errors.CollectionError, on_error)
    app.include_router(imports.router)
    app.include_router(proposals.router)
    app.include_router(challenges.public)
    app.include_router(challenges.staff)
    app.include_router(quality.router)
    app.include_router(campaigns.router)
    return app
