"""The worker process: `python -m hoptac.notifications.entrypoints.worker`.

It consumes COOP_ORG_V1 into the stored log (fanning events out to deliveries), backfills holes
from the registry's change log, sends webhooks, and sends staff e-mail when it is due.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Awaitable, Callable
from datetime import timedelta

import uvloop
from fastapi import FastAPI
from prometheus_client import CollectorRegistry
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from hoptac.contracts.events import STREAM, SUBJECT_PREFIX
from hoptac.notifications.adapters.mailer import LogMailer, Mailer, SmtpMailer
from hoptac.notifications.adapters.secret_box import seal_stored
from hoptac.notifications.adapters.webhooks import DeliveryMetrics
from hoptac.notifications.bootstrap import (
    bookkeeping_engine,
    build_delivery_worker,
    build_notifications,
    engine_for,
    secret_box,
)
from hoptac.notifications.handlers import Notifications
from hoptac.notifications.ingest import Ingest
from hoptac.notifications.settings import NotificationsSettings
from hoptac.notifications.staff_notices import StaffNotices, StaffOptions
from hoptac.platform.consumer import ConsumerHost
from hoptac.platform.http import install_defaults
from hoptac.platform.identity import StaticIdentity
from hoptac.platform.operations_server import operations_served

log = logging.getLogger("hoptac.notifications.worker")
DURABLE = "notifications"
STAFF_CHECK_SECONDS = 60.0
PRUNE_SECONDS = 3600.0


def mailer_for(settings: NotificationsSettings) -> Mailer:
    if not settings.smtp_host:
        return LogMailer()
    return SmtpMailer(
        host=settings.smtp_host,
        port=settings.smtp_port,
        sender=settings.mail_from,
        username=settings.smtp_username,
        password=settings.smtp_password,
        starttls=settings.smtp_starttls,
        timeout=settings.smtp_timeout_seconds,
    )


def staff_notices(settings: NotificationsSettings, engine: AsyncEngine) -> StaffNotices:
    return StaffNotices(
        engine,
        mailer_for(settings),
        StaffOptions(
            portal_url=settings.staff_portal_url,
            digest_hour=settings.digest_hour,
            stale_after_months=settings.stale_after_months,
            reminder_interval_days=settings.reminder_interval_days,
        ),
    )


async def run_worker(
    settings: NotificationsSettings, stop: asyncio.Event, metrics: CollectorRegistry | None = None
) -> None:
    metrics = metrics or CollectorRegistry()
    engine = engine_for(settings)
    bookkeeping = bookkeeping_engine(settings)
    worker = build_delivery_worker(settings, bookkeeping, DeliveryMetrics(metrics))
    ingest = Ingest(engine, settings.registry_url, settings.change_log_token, worker.poke)
    consumer = ConsumerHost(
        settings,
        durable=DURABLE,
        handle=ingest.handle,
        stream=STREAM,
        subjects=f"{SUBJECT_PREFIX}.>",
        metrics=metrics,
    )
    sealed = await seal_stored(engine, secret_box(settings))
    if sealed:
        log.info("sealed the signing secrets of %d subscriptions stored before sealing", sealed)
    notices = staff_notices(settings, engine)
    # The worker answers no caller: its commands need no identity from the registry.
    service = build_notifications(settings, identity=StaticIdentity({}), engine=engine)
    retention = timedelta(days=settings.delivered_retention_days)

    async def watch_consumer() -> None:  # also in the log, for whoever does not watch /readyz
        await consumer.lag()
        if (problem := consumer.problem()) is not None:
            log.warning("%s", problem)

    async with contextlib.AsyncExitStack() as running:
        if settings.worker_metrics_port:
            app = worker_app(consumer, engine, settings, metrics)
            port = settings.worker_metrics_port
            await running.enter_async_context(operations_served(app, settings.host, port))
        await consumer.start()
        tasks = [
            asyncio.create_task(ingest.keep_complete(stop), name="backfill"),
            asyncio.create_task(worker.run(stop), name="deliveries"),
            asyncio.create_task(
                _every(STAFF_CHECK_SECONDS, notices.run_due, stop, "staff e-mail round"),
                name="staff-mail",
            ),
            asyncio.create_task(
                _every(5.0, watch_consumer, stop, "watching the consumer"), name="watch"
            ),
            asyncio.create_task(
                _every(PRUNE_SECONDS, _pruning(service, retention), stop, "pruning deliveries"),
                name="prune",
            ),
        ]
        try:
            await stop.wait()
        finally:
            await consumer.stop()
            await asyncio.wait(tasks, timeout=15)
            for task in tasks:
                task.cancel()
    await engine.dispose()
    await bookkeeping.dispose()


def worker_app(
    consumer: ConsumerHost,
    engine: AsyncEngine,
    settings: NotificationsSettings,
    metrics: CollectorRegistry,
) -> FastAPI:
    """The worker's /healthz, /readyz (red while its consumer does not follow the stream, with
    the reason) and /metrics."""
    app = FastAPI(title="hoptac notifications worker", version="1")

    async def ready() -> None:
        consumer.check_ready()
        async with engine.connect() as conn:
            await conn.execute(text("SELECT 1 FROM feed_state"))

    async def refresh() -> None:
        await consumer.lag()

    install_defaults(app, "notifications-worker", metrics, ready, settings.max_body_bytes, refresh)
    return app


async def _every(
    seconds: float, work: Callable[[], Awaitable[object]], stop: asyncio.Event, what: str
) -> None:
    """Run `work` now and then every `seconds` until stopped; a failure is logged and the next
    round tries again."""
    while not stop.is_set():
        try:
            await work()
        except Exception:
            log.exception("%s failed; trying again in %.0f s", what, seconds)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=seconds)


def _pruning(service: Notifications, retention: timedelta) -> Callable[[], Awaitable[None]]:
    async def prune() -> None:
        removed = await service.prune_delivered(retention)
        if removed:
            log.info("removed %d deliveries delivered more than %s ago", removed, retention)

    return prune


def main() -> None:
    settings = NotificationsSettings()
    logging.basicConfig(level=settings.log_level, format="%(asctime)s %(name)s %(message)s")
    # One line per webhook request would drown the log; the delivery log keeps every attempt.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    metrics = CollectorRegistry()

    async def serve() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        await run_worker(settings, stop, metrics)

    uvloop.run(serve())  # the event loop uvicorn runs the HTTP services on


if __name__ == "__main__":
    main()
