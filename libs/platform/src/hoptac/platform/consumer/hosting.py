"""How a service runs its consumer, the same way from a FastAPI lifespan or a worker process."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from types import TracebackType
from typing import Any

from nats.aio.client import Client
from prometheus_client import CollectorRegistry

from hoptac.contracts.events import OrganizationEvent
from hoptac.platform.consumer.messages import Handler
from hoptac.platform.consumer.running import EventConsumer
from hoptac.platform.http import NotReady
from hoptac.platform.nats import connect
from hoptac.platform.settings import ProjectionSettings
from hoptac.platform.text import Text

log = logging.getLogger("hoptac.consumer")


class ConsumerHost:
    """`async with ConsumerHost(...) as host:` connects to NATS, runs the supervised consumer
    as a task, and stops both at the end; `check_ready` is for the service's readiness.

    `payload` is the contract's type of each message (for the AsyncAPI document). With
    `optional_stream`, a stream that does not exist is no problem: it belongs to a service a
    deployment may leave out (the policy library), and there is nothing to follow until it
    exists; the consumer binds to it when it appears."""

    def __init__(
        self,
        settings: ProjectionSettings,
        *,
        durable: str,
        handle: Handler,
        stream: str,
        subjects: str,
        metrics: CollectorRegistry | None,
        fetch_timeout: float = 1.0,
        payload: Any = OrganizationEvent,
        optional_stream: bool = False,
    ) -> None:
        self.settings = settings
        self.durable = durable
        self.handle = handle
        self.stream = stream
        self.subjects = subjects
        self.metrics = metrics
        self.fetch_timeout = fetch_timeout
        self.payload = payload
        self.optional_stream = optional_stream
        self.nc: Client | None = None
        self.consumer: EventConsumer | None = None
        self.task: asyncio.Task[None] | None = None

    async def __aenter__(self) -> ConsumerHost:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.stop()

    def consumer_for(self, nc: Client) -> EventConsumer:
        """The consumer on a connection of one's own, without the hosting (tests use it)."""
        settings = self.settings
        return EventConsumer(
            nc,
            durable=self.durable,
            handle=self.handle,
            stream=self.stream,
            subjects=self.subjects,
            batch_size=settings.consumer_batch_size,
            max_tries=settings.consumer_max_tries,
            ack_wait=settings.consumer_ack_wait,
            fetch_timeout=self.fetch_timeout,
            metrics=self.metrics,
            payload=self.payload,
        )

    async def start(self) -> None:
        self.nc = await connect(self.settings.nats_url, f"hoptac-{self.durable}")
        self.consumer = self.consumer_for(self.nc)
        self.task = asyncio.create_task(self.consumer.run(), name=f"{self.durable}-consumer")

    async def stop(self) -> None:
        if self.consumer is not None:
            self.consumer.stop()
        if self.task is not None:
            try:
                await asyncio.wait_for(self.task, self.settings.consumer_ack_wait + 10)
            except TimeoutError:
                log.warning("%s: the consumer did not stop in time; cancelled", self.durable)
            except Exception:
                log.exception("%s: the consumer ended with an error", self.durable)
        if self.nc is not None:
            with contextlib.suppress(Exception):
                await self.nc.drain()

    async def lag(self) -> int | None:
        """Sets hoptac_consumer_lag; None when there is no figure (NATS away, no durable yet)."""
        if self.consumer is None or self.nc is None or not self.nc.is_connected:
            return None
        with contextlib.suppress(Exception):
            return await self.consumer.lag()
        return None

    def reason(self) -> Text | None:
        """Why the consumer does not follow the stream, fit to show anyone; None if it does."""
        if self.consumer is None or self.task is None:
            return Text("consumer.not_started")
        if self.task.done():
            return Text("consumer.stopped")
        if self.optional_stream and self.consumer.stream_missing:
            return None
        reason = self.consumer.reason
        return None if reason is None else Text("consumer.not_following", reason=reason)

    def problem(self) -> str | None:
        """The reason in English, for logs."""
        return None if (reason := self.reason()) is None else str(reason)

    def check_ready(self) -> None:
        if (reason := self.reason()) is not None:
            raise NotReady(reason)
