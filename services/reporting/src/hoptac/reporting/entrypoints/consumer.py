"""The durable JetStream consumer that keeps the projection, run inside the HTTP process."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from nats.aio.client import Client
from prometheus_client import CollectorRegistry

from hoptac.contracts.events import STREAM, SUBJECT_PREFIX
from hoptac.platform.consumer import EventConsumer
from hoptac.platform.nats import connect
from hoptac.reporting.handlers import Reporting
from hoptac.reporting.settings import ReportingSettings

log = logging.getLogger("hoptac.reporting.consumer")


def build_consumer(
    nc: Client,
    reporting: Reporting,
    settings: ReportingSettings,
    metrics: CollectorRegistry | None,
) -> EventConsumer:
    return EventConsumer(
        nc,
        durable=settings.consumer_durable,
        handle=reporting.handle_messages,
        stream=STREAM,
        subjects=f"{SUBJECT_PREFIX}.>",
        batch_size=settings.consumer_batch_size,
        max_tries=settings.consumer_max_tries,
        ack_wait=settings.consumer_ack_wait,
        metrics=metrics,
    )


class RunningConsumer:
    """The consumer as a background task: started with the app, stopped with it."""

    def __init__(
        self, reporting: Reporting, settings: ReportingSettings, metrics: CollectorRegistry
    ) -> None:
        self.reporting = reporting
        self.settings = settings
        self.metrics = metrics
        self.nc: Client | None = None
        self.consumer: EventConsumer | None = None
        self.task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self.nc = await connect(self.settings.nats_url, "hoptac-reporting")
        self.consumer = build_consumer(self.nc, self.reporting, self.settings, self.metrics)
        self.task = asyncio.create_task(self.consumer.run(), name="reporting-consumer")

    async def stop(self) -> None:
        if self.consumer is not None:
            self.consumer.stop()
        if self.task is not None:
            with contextlib.suppress(asyncio.CancelledError):
                try:
                    await asyncio.wait_for(self.task, 10)
                except TimeoutError:
                    log.warning("the consumer did not stop within 10 s; cancelling it")
        if self.nc is not None:
            await self.nc.close()

    async def lag(self) -> int | None:
        if self.consumer is None or self.nc is None or not self.nc.is_connected:
            return None
        try:
            return await self.consumer.lag()
        except Exception:  # the durable may not exist yet (no stream): nothing to report
            return None

    def check_alive(self) -> None:
        if self.nc is None or not self.nc.is_connected:
            raise RuntimeError("not connected to NATS")
        if self.task is not None and self.task.done():
            raise RuntimeError(f"the event consumer stopped: {self.task.exception()!r}")
