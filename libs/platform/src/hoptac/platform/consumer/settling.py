"""What FastStream does not do for a batch, in one place: split a failing batch to find the bad
message, retry with backoff, set aside in the dead letters, wait out the projection's own
outages without spending a message's tries, and tell JetStream a long batch is still in hand.

FastStream hands `settle` the nats-py messages of one batch (manual acknowledgement); `settle`
acknowledges, naks or dead-letters every one of them, or, when NATS does not take that, leaves
them to come back after `ack_wait` and remembers the failure for the supervisor.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Sequence
from typing import Any, Protocol

import nats.errors
from nats.aio.msg import Msg

from hoptac.platform.consumer.messages import (
    Handler,
    Message,
    Poison,
    dead_letter_subject,
    message_of,
    retry_delay,
)
from hoptac.platform.consumer.metrics import ConsumerMetrics
from hoptac.platform.outages import is_outage
from hoptac.platform.text import Text

log = logging.getLogger("hoptac.consumer")

SETTLE_FAILURE_PAUSE = 1.0  # after NATS refused an ack, a nak or a dead letter


class Publisher(Protocol):
    """Where dead letters are published: a JetStream context."""

    async def publish(
        self, subject: str, payload: bytes, *, headers: dict[str, Any] | None = None
    ) -> Any: ...


class BatchSettler:
    def __init__(
        self,
        *,
        durable: str,
        handle: Handler,
        dead_letters: Publisher,
        max_tries: int,
        ack_wait: float,
        metrics: ConsumerMetrics,
    ) -> None:
        self.durable = durable
        self.handle = handle
        self.dead_letters = dead_letters
        self.max_tries = max_tries
        self.ack_wait = ack_wait
        self.metrics = metrics
        self.failures_in_a_row = 0
        self.settle_failure: Text | None = None
        self.waiting_for: Text | None = None
        # Deliveries a message spent waiting for an outage, by stream sequence: they are not
        # its tries. Only messages naked for an outage and not yet settled are here.
        self._waited: dict[int, int] = {}

    @property
    def problem(self) -> Text | None:
        """Why the consumer does not follow the stream right now, if it does not."""
        return self.settle_failure or self.waiting_for

    async def settle(self, batch: Sequence[Msg]) -> None:
        try:
            with self.metrics.batch_seconds.labels(self.durable).time():
                async with self._still_working(batch):
                    await self._process(batch)
        except (TimeoutError, nats.errors.Error) as error:
            # An acknowledgement, a nak or a dead letter that NATS did not take: the messages
            # of the batch not settled come back after ack_wait.
            self.failures_in_a_row += 1
            self.settle_failure = Text("part.consumer_settle_refused", error=type(error).__name__)
            log.warning("%s: settling a batch failed (%r); going on", self.durable, error)
            await asyncio.sleep(SETTLE_FAILURE_PAUSE)
        else:
            self.failures_in_a_row = 0
            self.settle_failure = None

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

    async def _process(self, batch: Sequence[Msg]) -> None:
        messages = [message_of(msg) for msg in batch]
        try:
            await self.handle(messages)
        except Exception as error:  # one of them is bad, or the database is away: go one by one
            log.warning("%s: a batch of %d failed (%r)", self.durable, len(batch), error)
        else:
            for msg in batch:  # a buffered publish each: no task per message
                await msg.ack()
            self._settled(messages)
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
                await self._wait_for_outage(msg, message, error)
                return
            tries = message.deliveries - self._waited.get(message.stream_sequence, 0)
            if tries >= self.max_tries:
                await self._dead_letter(msg, message, f"failed {tries} times: {error!r}")
            else:
                log.warning(
                    "%s: stream sequence %d failed (try %d of %d): %r",
                    self.durable,
                    message.stream_sequence,
                    tries,
                    self.max_tries,
                    error,
                )
                await msg.nak(delay=retry_delay(tries))
                self.metrics.messages.labels(self.durable, "retried").inc()
        else:
            await msg.ack()
            self._settled([message])
            self.metrics.messages.labels(self.durable, "applied").inc()

    async def _wait_for_outage(self, msg: Msg, message: Message, error: Exception) -> None:
        """The projection's own database is away, not the message at fault: try again, however
        long it takes, and neither dead-letter a good event for it nor count it as a try."""
        waited = self._waited.get(message.stream_sequence, 0) + 1
        self._waited[message.stream_sequence] = waited
        self.waiting_for = Text("part.consumer_dependency_unavailable", error=type(error).__name__)
        log.warning(
            "%s: stream sequence %d waits for a dependency (%s); trying again",
            self.durable,
            message.stream_sequence,
            type(error).__name__,
        )
        await msg.nak(delay=retry_delay(waited))
        self.metrics.messages.labels(self.durable, "waited").inc()

    def _settled(self, messages: Sequence[Message]) -> None:
        self.waiting_for = None
        for message in messages:
            self._waited.pop(message.stream_sequence, None)

    async def _dead_letter(self, msg: Msg, message: Message, reason: str) -> None:
        """Keep the message where an operator can find it, then let the stream move on."""
        headers = {
            "Hoptac-Original-Subject": message.subject,
            "Hoptac-Stream-Sequence": str(message.stream_sequence),
            "Hoptac-Deliveries": str(message.deliveries),
            "Hoptac-Error": reason[:1000],
            "Nats-Msg-Id": f"{self.durable}-{message.stream_sequence}",
        }
        subject = dead_letter_subject(self.durable)
        await self.dead_letters.publish(subject, message.data, headers=headers)
        await msg.ack()
        self._settled([message])
        self.metrics.messages.labels(self.durable, "dead_lettered").inc()
        log.error(
            "%s: stream sequence %d dead-lettered to %s: %s",
            self.durable,
            message.stream_sequence,
            subject,
            reason,
        )
