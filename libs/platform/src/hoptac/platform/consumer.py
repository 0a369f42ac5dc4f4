"""A durable JetStream consumer for projections: batches in stream order, dead letters for the rest.

Every projection (search, reporting, notifications) reads the registry's stream the same way:

- a durable pull consumer, so a restart resumes where the last acknowledgement left off;
- batches handed to the service's `handle` in stream order, which applies them all or none
  (one database transaction) and records what it applied, so duplicates change nothing;
- when a batch fails, its messages are tried one at a time, so one bad message cannot hold
  back the good ones; a message that can never succeed (`Poison`), or that still fails after
  `max_tries` deliveries, is published to `hoptac.dead_letter.<durable>` and acknowledged; a
  failure because the projection's own dependency is down (`outages.is_outage`) is retried
  without end instead, since the message is not at fault.

JetStream's own `max_deliver` is left unbounded on purpose: when it is reached JetStream stops
delivering the message (it stays in the stream, with an advisory nobody reads), so the
projection would move on without it; our own count sets it aside in the dead letters instead.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass

import nats.errors
import nats.js.errors
from nats.aio.client import Client
from nats.aio.msg import Msg
from nats.js import JetStreamContext
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy, StorageType, StreamConfig
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

from hoptac.platform.outages import is_outage

log = logging.getLogger("hoptac.consumer")

DEAD_LETTER_STREAM = "HOPTAC_DEAD_LETTERS"
DEAD_LETTER_PREFIX = "hoptac.dead_letter"


class Poison(Exception):
    """The message can never be handled (not JSON, wrong schema): dead-letter it at once."""


class ConflictingEvent(Poison):
    """An event claims a change-log sequence, or an organisation's version, already applied with
    another event: a forgery or a corruption. It is dead-lettered (an alarm), never dropped."""


@dataclass(frozen=True)
class Message:
    data: bytes
    subject: str
    stream_sequence: int
    deliveries: int  # 1 on the first delivery


Handler = Callable[[list[Message]], Awaitable[None]]


def dead_letter_subject(durable: str) -> str:
    return f"{DEAD_LETTER_PREFIX}.{durable}"


def retry_delay(deliveries: int) -> float:
    """Seconds before the next try: 0.5, 1, 2, 4 … capped at a minute."""
    return float(min(0.5 * 2 ** (deliveries - 1), 60.0))


class ConsumerMetrics:
    def __init__(self, registry: CollectorRegistry | None) -> None:
        self.messages = Counter(
            "hoptac_consumer_messages",
            "Messages handled by a projection's consumer, by outcome",
            ["consumer", "outcome"],
            registry=registry,
        )
        self.lag = Gauge(
            "hoptac_consumer_lag",
            "Messages of the stream the consumer has not acknowledged yet",
            ["consumer"],
            registry=registry,
        )
        self.batch_seconds = Histogram(
            "hoptac_consumer_batch_seconds",
            "Time to handle one batch, including its acknowledgements",
            ["consumer"],
            buckets=(0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
            registry=registry,
        )


class EventConsumer:
    def __init__(
        self,
        nc: Client,
        *,
        durable: str,
        handle: Handler,
        stream: str,
        subjects: str,
        batch_size: int = 256,
        max_tries: int = 5,
        ack_wait: float = 30.0,
        fetch_timeout: float = 1.0,
        gather_window: float = 0.01,
        metrics: CollectorRegistry | None = None,
    ) -> None:
        self.nc = nc
        self.js: JetStreamContext = nc.jetstream()
        self.durable = durable
        self.handle = handle
        self.stream = stream
        self.subjects = subjects
        self.batch_size = batch_size
        self.max_tries = max_tries
        self.ack_wait = ack_wait
        self.fetch_timeout = fetch_timeout
        self.gather_window = gather_window
        self.metrics = ConsumerMetrics(metrics)
        self._stopping = asyncio.Event()

    def stop(self) -> None:
        self._stopping.set()

    async def run(self) -> None:
        """Consume until `stop()`; waits for the stream to exist and survives NATS outages."""
        subscription = await self._subscribe()
        if subscription is None:
            return
        try:
            while not self._stopping.is_set():
                try:
                    batch = await self._next_batch(subscription)
                except (TimeoutError, nats.errors.TimeoutError):
                    continue
                except nats.errors.Error as error:  # disconnected: the client reconnects
                    log.warning("%s: fetch failed (%s); trying again", self.durable, error)
                    await self._pause(1.0)
                    continue
                try:
                    with self.metrics.batch_seconds.labels(self.durable).time():
                        async with self._still_working(batch):
                            await self._process(batch)
                except (TimeoutError, nats.errors.Error) as error:
                    # An acknowledgement, a nak or a dead letter that NATS did not take: the
                    # messages of the batch not settled come back after ack_wait; go on.
                    log.warning("%s: settling a batch failed (%r); going on", self.durable, error)
                    await self._pause(1.0)
        finally:
            with contextlib.suppress(nats.errors.Error):
                await subscription.unsubscribe()

    @contextlib.asynccontextmanager
    async def _still_working(self, batch: Sequence[Msg]) -> AsyncIterator[None]:
        """While a batch is handled, tell JetStream every half ack_wait that it is in hand, so
        that a slow batch is not delivered again to another consumer in the meantime."""

        async def beat() -> None:
            while True:
                await asyncio.sleep(self.ack_wait / 2)
                with contextlib.suppress(nats.errors.Error):
                    await asyncio.gather(*(msg.in_progress() for msg in batch))

        beating = asyncio.create_task(beat())
        try:
            yield
        finally:
            beating.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await beating

    async def _next_batch(self, subscription: JetStreamContext.PullSubscription) -> list[Msg]:
        """Wait for one message, then take what else is there within a few milliseconds.

        A single fetch of a whole batch would hold the first message back until the batch
        filled or the fetch timed out: a second of latency for every event on a quiet stream.
        """
        batch = await subscription.fetch(1, timeout=self.fetch_timeout)
        if self.batch_size > 1:
            with contextlib.suppress(TimeoutError, nats.errors.TimeoutError):
                batch += await subscription.fetch(self.batch_size - 1, timeout=self.gather_window)
        return batch

    async def lag(self) -> int:
        """Messages not yet acknowledged: waiting to be delivered, or delivered and in hand."""
        info = await self.js.consumer_info(self.stream, self.durable)
        pending = (info.num_pending or 0) + (info.num_ack_pending or 0)
        self.metrics.lag.labels(self.durable).set(pending)
        return pending

    async def _subscribe(self) -> JetStreamContext.PullSubscription | None:
        """The durable subscription, once the stream exists; None if stopped while waiting."""
        await self._ensure_dead_letter_stream()
        config = ConsumerConfig(
            durable_name=self.durable,
            ack_policy=AckPolicy.EXPLICIT,
            deliver_policy=DeliverPolicy.ALL,
            ack_wait=self.ack_wait,
            max_deliver=-1,
            max_ack_pending=-1,
            filter_subject=self.subjects,
        )
        while not self._stopping.is_set():
            try:
                # Create or update: a durable that exists takes the settings given now (a new
                # ack_wait, say), which pull_subscribe alone would leave as they were.
                await self.js.add_consumer(self.stream, config)
                return await self.js.pull_subscribe_bind(self.durable, stream=self.stream)
            except nats.js.errors.NotFoundError:
                log.info("%s: waiting for stream %s to exist", self.durable, self.stream)
            except nats.errors.Error as error:
                log.warning("%s: cannot subscribe yet (%s)", self.durable, error)
            await self._pause(1.0)
        return None

    async def _ensure_dead_letter_stream(self) -> None:
        config = StreamConfig(
            name=DEAD_LETTER_STREAM,
            subjects=[f"{DEAD_LETTER_PREFIX}.>"],
            storage=StorageType.FILE,
        )
        while not self._stopping.is_set():
            try:
                await self.js.stream_info(DEAD_LETTER_STREAM)
                return
            except nats.js.errors.NotFoundError:
                with contextlib.suppress(nats.js.errors.BadRequestError):  # created meanwhile
                    await self.js.add_stream(config)
                return
            except nats.errors.Error as error:
                log.warning("%s: JetStream not reachable yet (%s)", self.durable, error)
                await self._pause(1.0)

    async def _process(self, batch: Sequence[Msg]) -> None:
        messages = [_message(msg) for msg in batch]
        try:
            await self.handle(messages)
        except Exception as error:  # one of them is bad, or the database is away: go one by one
            log.warning("%s: a batch of %d failed (%r)", self.durable, len(batch), error)
        else:
            await asyncio.gather(*(msg.ack() for msg in batch))
            self.metrics.messages.labels(self.durable, "applied").inc(len(batch))
            return
        for msg, message in zip(batch, messages, strict=True):
            await self._process_one(msg, message)

    async def _process_one(self, msg: Msg, message: Message) -> None:
        try:
            await self.handle([message])
        except Poison as error:
            await self._dead_letter(msg, message, f"poison: {error}")
        except Exception as error:
            if is_outage(error):
                # The projection's own database is away, not the message at fault: try again,
                # however long it takes, and never dead-letter a good event for it.
                log.warning(
                    "%s: stream sequence %d waits for a dependency (%s); trying again",
                    self.durable,
                    message.stream_sequence,
                    type(error).__name__,
                )
                await msg.nak(delay=retry_delay(message.deliveries))
                self.metrics.messages.labels(self.durable, "waited").inc()
            elif message.deliveries >= self.max_tries:
                reason = f"failed {message.deliveries} times: {error!r}"
                await self._dead_letter(msg, message, reason)
            else:
                log.warning(
                    "%s: stream sequence %d failed (try %d of %d): %r",
                    self.durable,
                    message.stream_sequence,
                    message.deliveries,
                    self.max_tries,
                    error,
                )
                await msg.nak(delay=retry_delay(message.deliveries))
                self.metrics.messages.labels(self.durable, "retried").inc()
        else:
            await msg.ack()
            self.metrics.messages.labels(self.durable, "applied").inc()

    async def _dead_letter(self, msg: Msg, message: Message, reason: str) -> None:
        """Keep the message where an operator can find it, then let the stream move on."""
        headers = {
            "Hoptac-Original-Subject": message.subject,
            "Hoptac-Stream-Sequence": str(message.stream_sequence),
            "Hoptac-Deliveries": str(message.deliveries),
            "Hoptac-Error": reason[:1000],
            "Nats-Msg-Id": f"{self.durable}-{message.stream_sequence}",
        }
        await self.js.publish(dead_letter_subject(self.durable), message.data, headers=headers)
        await msg.ack()
        self.metrics.messages.labels(self.durable, "dead_lettered").inc()
        log.error(
            "%s: stream sequence %d dead-lettered to %s: %s",
            self.durable,
            message.stream_sequence,
            dead_letter_subject(self.durable),
            reason,
        )

    async def _pause(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stopping.wait(), seconds)


def _message(msg: Msg) -> Message:
    metadata = msg.metadata
    return Message(
        data=msg.data,
        subject=msg.subject,
        stream_sequence=metadata.sequence.stream,
        deliveries=metadata.num_delivered,
    )
