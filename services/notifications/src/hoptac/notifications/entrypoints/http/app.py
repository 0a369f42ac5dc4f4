"""The notifications ASGI app (`uvicorn --factory …entrypoints.http.app:create_app`)."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from fastapi_offline import FastAPIOffline
from prometheus_client import CollectorRegistry, Gauge
from sqlalchemy import text

from hoptac.notifications.adapters.deliveries import queue_figures
from hoptac.notifications.adapters.event_store import watermark
from hoptac.notifications.bootstrap import build_notifications
from hoptac.notifications.domain import errors
from hoptac.notifications.entrypoints.http import feed, staff, subscriptions
from hoptac.notifications.entrypoints.worker import mailer_for
from hoptac.notifications.handlers import Notifications
from hoptac.notifications.settings import NotificationsSettings
from hoptac.platform.error_answers import error_response
from hoptac.platform.http import NotReady, install_defaults
from hoptac.platform.text import Text

log = logging.getLogger("hoptac.notifications.http")


STATUS_OF: dict[type[errors.NotificationsError], tuple[int, str]] = {
    errors.InvalidRequest: (422, "invalid_request"),
    errors.NotFound: (404, "not_found"),
    errors.Conflict: (409, "conflict"),
    errors.Unauthenticated: (401, "unauthenticated"),
    errors.Unavailable: (503, "unavailable"),
    errors.Forbidden: (403, "forbidden"),
    errors.LimitReached: (409, "limit_reached"),
    errors.RateLimited: (429, "rate_limited"),
}


async def on_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, errors.NotificationsError)
    status, code = STATUS_OF.get(type(exc), (400, "bad_request"))
    fields = exc.problems if isinstance(exc, errors.InvalidRequest) else []
    retry = {"Retry-After": str(exc.retry_after)} if isinstance(exc, errors.RateLimited) else None
    return error_response(request, status, code, exc.message, fields, retry)


def create_app(
    settings: NotificationsSettings | None = None,
    service: Notifications | None = None,
    stream_poll_seconds: float = 0.5,
) -> FastAPI:
    settings = settings or NotificationsSettings()
    notifications = service or build_notifications(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        await notifications.identity.close()
        await notifications.engine.dispose()

    app = FastAPIOffline(  # /docs and /redoc from local files, not a CDN
        title="hoptac notifications",
        version="1",
        description="Change events for agencies: signed webhooks (Standard Webhooks), a "
        "resumable feed with Server-Sent Events, and a snapshot. Every route needs "
        "`Authorization: Bearer <registry token>`; an agency sees only its own subscriptions.",
        lifespan=lifespan,
    )
    app.state.notifications = notifications
    app.state.mailer = mailer_for(settings)
    app.state.staff_portal_url = settings.staff_portal_url
    app.state.stream_poll_seconds = stream_poll_seconds
    metrics = CollectorRegistry()
    depth = Gauge("hoptac_webhook_queue_depth", "Deliveries pending or in flight", registry=metrics)
    lag = Gauge(
        "hoptac_webhook_lag_seconds",
        "Age of the oldest delivery that is due and not yet sent",
        registry=metrics,
    )
    failed = Gauge(
        "hoptac_webhook_failed_deliveries", "Deliveries that ran out of attempts", registry=metrics
    )
    through = Gauge(
        "hoptac_notifications_feed_sequence",
        "Every registry event up to this sequence is stored and served",
        registry=metrics,
    )

    async def ready() -> None:
        try:
            async with notifications.engine.connect() as conn:
                await conn.execute(text("SELECT 1 FROM feed_state"))
        except Exception as error:
            # /readyz is public: the reason goes to the log, the answer says only what failed.
            log.warning("not ready: the database check failed (%s)", type(error).__name__)
            raise NotReady(Text("notifications.database_not_ready")) from error

    async def refresh() -> None:
        async with notifications.engine.connect() as conn:
            waiting, oldest, dead = await queue_figures(conn)
            through.set(await watermark(conn))
        depth.set(waiting)
        lag.set(oldest)
        failed.set(dead)

    install_defaults(
        app,
        "notifications",
        metrics,
        ready,
        settings.max_body_bytes,
        refresh,
        guard=settings.http_guard(),
    )
    app.add_exception_handler(errors.NotificationsError, on_error)
    app.include_router(subscriptions.router)
    app.include_router(feed.router)
    app.include_router(staff.router)
    return app
