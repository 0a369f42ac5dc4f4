"""The consumer on FastStream's NATS broker, supervised: restarted with backoff when it stops or
keeps failing, with the reason it is not following the stream kept for readiness."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Annotated, Any
from urllib.parse import unquote, urlsplit

import nats.errors
from faststream import AckPolicy, Context
from faststream.nats import JStream, NatsBroker, PullSub
from faststream.nats.message import NatsBatchMessage
from faststream.nats.security import NatsUserPassword
from faststream.nats.subscriber.usecases.stream_pull_subscriber import BatchPullStreamSubscriber
from nats.aio.client import Client
from nats.aio.msg import Msg
from nats.js import JetStreamContext
from nats.js.api import ConsumerConfig
from prometheus_client import CollectorRegistry
from pydantic import SkipValidation

from hoptac.contracts.events import OrganizationEvent
from hoptac.platform.consumer.durable import (
    durable_config,
    ensure_dead_letter_stream,
    ensure_durable,
)
from hoptac.platform.consumer.messages import Handler
from hoptac.platform.consumer.metrics import consumer_metrics
from hoptac.platform.consumer.nats_fetch import restore_fetch_timeout_error
from hoptac.platform.consumer.quiet_stream import wait_when_quiet
from hoptac.platform.consumer.ready_messages import take_ready_messages_at_once
from hoptac.platform.consumer.settling import BatchSettler
from hoptac.platform.text import Text

log = logging.getLogger("hoptac.consumer")

RESTART_AFTER_FAILURES = 3  # batches in a row NATS would not let us settle
MAX_RESTART_DELAY = 60.0
START_TIMEOUT = 30.0
STABLE_SECONDS = 600.0  # a run this long resets the restart delay
WATCH_SECONDS = 1.0


# The batch as FastStream received it; the raw nats-py messages are what `settle` needs.
Batch = Annotated[NatsBatchMessage, Context("message")]


class ConsumerFailing(Exception):
    """The consumer stopped following the stream; it is started again."""

    def __init__(self, reason: Text) -> None:
        super().__init__(reason)
        self.reason = reason


Settle = Callable[[Sequence[Msg]], Awaitable[None]]


async def _undecoded(message: NatsBatchMessage) -> None:
    """The settler decodes each message itself, so that a bad one is set aside, not the batch."""


def subscribe(
    broker: NatsBroker,
    settle: Settle,
    *,
    stream: str,
    subjects: str,
    config: ConsumerConfig,
    batch_size: int,
    gather_window: float,
    payload: Any = OrganizationEvent,
    description: str | None = None,
) -> BatchPullStreamSubscriber:
    """Declare a projection's subscriber on `broker`: how it runs, and what the AsyncAPI
    document says it consumes (each message a `payload`, a contract's event type).

    FastStream's batch pull loop returns a batch when it is full or when `gather_window` has
    passed since the loop began to gather: on a quiet stream an event is handled within a few
    milliseconds, during catch-up the batches are full. One worker, so batches keep stream order.
    """
    subscriber = broker.subscriber(
        subjects,
        stream=JStream(stream, declare=False),  # the registry owns the stream
        durable=config.durable_name,
        config=config,
        pull_sub=PullSub(batch_size=batch_size, timeout=gather_window, batch=True),
        ack_policy=AckPolicy.MANUAL,
        decoder=_undecoded,
        title=config.durable_name,
        description=description,
    )

    async def on_batch(wire: Any, message: Batch) -> None:
        await settle(message.raw_message)

    # `wire` is what each message of the batch carries, for the AsyncAPI document; it is not
    # validated (the bodies are not decoded here at all). FastStream reads it from the
    # signature, so the contract's type goes into the annotation before the handler is given.
    on_batch.__annotations__["wire"] = SkipValidation[payload]  # type: ignore[misc]  # built at run time
    subscriber(on_batch)
    assert isinstance(subscriber, BatchPullStreamSubscriber)
    return subscriber


class CancellableBroker(NatsBroker):
    """FastStream's NATS broker, whose connection attempt can be given up (a stop while NATS is
    being reached) without leaving its socket open: FastStream makes the client inside
    `nats.connect`, so a cancelled attempt would lose the only reference to it."""

    async def _connect(self) -> Client:
        client = Client()
        try:
            await client.connect(**self._connection_kwargs)
        except BaseException:
            await client.close()
            raise
        self.config.connect(client)
        return client


def _with_one_login(servers: list[str]) -> tuple[list[str], NatsUserPassword | None]:
    """The servers without the login their URLs carry, and that login, given to the client for
    every server: nats-py sends a URL's login only to that URL, and a server the cluster
    announced has none, which FastStream takes for an unrecoverable error when it reconnects
    there (and it refuses a login both in the URLs and apart)."""
    login = None
    bare = []
    for url in servers:
        parts = urlsplit(url)
        if parts.username is not None and parts.password is not None and login is None:
            login = NatsUserPassword(unquote(parts.username), unquote(parts.password))
        bare.append(parts._replace(netloc=parts.netloc.rpartition("@")[2]).geturl())
    return (bare, login) if login is not None else (servers, None)


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
        payload: Any = OrganizationEvent,
    ) -> None:
        self.nc = nc
        self.js: JetStreamContext = nc.jetstream()
        self.durable = durable
        self.stream = stream
        self.subjects = subjects
        self.batch_size = batch_size
        self.ack_wait = ack_wait
        # how long a pull request waits on a quiet stream (`quiet_stream`); a stop waits as long
        self.fetch_timeout = fetch_timeout
        self.gather_window = gather_window
        self.payload = payload
        self.metrics = consumer_metrics(metrics)
        self.settler = BatchSettler(
            durable=durable,
            handle=handle,
            dead_letters=self.js,
            max_tries=max_tries,
            ack_wait=ack_wait,
            metrics=self.metrics,
        )
        self._stopped_because: Text | None = Text("part.consumer_starting")
        self.stream_missing = False  # the stream it follows does not exist (yet)
        self._stopping = asyncio.Event()
        restore_fetch_timeout_error()

    def stop(self) -> None:
        self._stopping.set()

    @property
    def reason(self) -> Text | None:
        """Why the consumer does not follow the stream right now; None while it does."""
        return self._stopped_because or self.settler.problem

    @property
    def problem(self) -> str | None:
        """The reason in English, for logs."""
        return None if (reason := self.reason) is None else str(reason)

    def _show_readiness(self) -> None:
        self.metrics.ready.labels(self.durable).set(0 if self.reason else 1)

    async def run(self) -> None:
        """Consume until `stop()`: waits for the stream to exist, survives NATS outages, and
        starts the subscriber again, 1 s then longer, when it stops or keeps failing."""
        delay = 1.0
        loop = asyncio.get_running_loop()
        while not self._stopping.is_set():
            started = loop.time()
            try:
                await self._run_once()
            except Exception as error:
                if self._stopping.is_set():
                    break
                if loop.time() - started > STABLE_SECONDS:  # a new trouble, not the same one
                    delay = 1.0
                self.metrics.restarts.labels(self.durable).inc()
                reason = (
                    error.reason if isinstance(error, ConsumerFailing) else type(error).__name__
                )
                self._stopped_because = Text("part.consumer_restarting", reason=reason)
                self._show_readiness()
                log.error("%s: restarting in %.0f s after %r", self.durable, delay, error)
                await self._pause(delay)
                delay = min(delay * 2, MAX_RESTART_DELAY)
        self._stopped_because = Text("part.consumer_stopped")
        self._show_readiness()

    async def _run_once(self) -> None:
        if not await self._durable_ready():
            return
        servers, login = _with_one_login(self._configured_servers())
        broker = CancellableBroker(
            servers,
            security=login,
            name=f"hoptac-{self.durable}-consumer",
            max_reconnect_attempts=-1,
            reconnect_time_wait=1,
            graceful_timeout=self.fetch_timeout + self.ack_wait,
            log_level=logging.DEBUG,  # a line per batch otherwise
        )
        subscriber = subscribe(
            broker,
            self.settler.settle,
            stream=self.stream,
            subjects=self.subjects,
            config=durable_config(self.durable, self.subjects, self.ack_wait),
            batch_size=self.batch_size,
            gather_window=self.gather_window,
            payload=self.payload,
        )
        try:
            if not await self._started(broker):
                return
            assert subscriber.subscription is not None  # made by the broker's start
            wait_when_quiet(
                subscriber.subscription, self.batch_size, self.fetch_timeout, self.gather_window
            )
            take_ready_messages_at_once(subscriber.subscription)
            self._stopped_because = None
            while not await self._pause(WATCH_SECONDS):
                self._show_readiness()
                self._watch(subscriber)
        finally:
            await broker.stop()

    async def _started(self, broker: NatsBroker) -> bool:
        """Start the broker; False if stopped meanwhile. A client told to reconnect for ever
        also tries its first connection for ever: a stop must not wait for it."""
        starting = asyncio.ensure_future(broker.start())
        stopping = asyncio.ensure_future(self._stopping.wait())
        done, _ = await asyncio.wait(
            [starting, stopping], timeout=START_TIMEOUT, return_when=asyncio.FIRST_COMPLETED
        )
        stopping.cancel()
        if starting in done:
            starting.result()
            return True
        starting.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await starting
        if self._stopping.is_set():
            return False
        raise ConsumerFailing(Text("part.consumer_no_connection", seconds=f"{START_TIMEOUT:.0f}"))

    def _configured_servers(self) -> list[str]:
        """FastStream's own connection goes to the servers `nc` was given, with their logins,
        not to those a cluster announced (`nc.servers` holds both, the announced ones without
        login)."""
        announced = set(self.nc.discovered_servers)
        return [server.geturl() for server in self.nc.servers if server not in announced]

    def _watch(self, subscriber: BatchPullStreamSubscriber) -> None:
        if self.settler.failures_in_a_row >= RESTART_AFTER_FAILURES:
            failures = self.settler.failures_in_a_row
            self.settler.failures_in_a_row = 0
            raise ConsumerFailing(
                Text(
                    "part.consumer_failing_batches",
                    count=failures,
                    reason=self.settler.settle_failure,
                )
            )
        if not subscriber.running:
            raise ConsumerFailing(Text("part.consumer_subscriber_stopped"))

    async def _durable_ready(self) -> bool:
        """The dead-letter stream and the durable, as configured; False if stopped meanwhile."""
        config = durable_config(self.durable, self.subjects, self.ack_wait)
        while not self._stopping.is_set():
            try:
                await ensure_dead_letter_stream(self.js)
                missing = not await ensure_durable(self.js, self.stream, config)
                if missing and not self.stream_missing:  # said once, not every second
                    log.info("%s: waiting for stream %s to exist", self.durable, self.stream)
                self.stream_missing = missing
                if not missing:
                    return True
                self._stopped_because = Text("part.consumer_waiting_for_stream", stream=self.stream)
            except nats.errors.Error as error:
                self._stopped_because = Text("part.consumer_jetstream_unreachable")
                log.warning("%s: cannot subscribe yet (%s)", self.durable, error)
            await self._pause(1.0)
        return False

    async def lag(self) -> int:
        """Messages not yet acknowledged: waiting to be delivered, or delivered and in hand.
        Called before each scrape of /metrics, it brings the readiness gauge up to date too."""
        self._show_readiness()
        info = await self.js.consumer_info(self.stream, self.durable)
        pending = (info.num_pending or 0) + (info.num_ack_pending or 0)
        self.metrics.lag.labels(self.durable).set(pending)
        return pending

    async def _pause(self, seconds: float) -> bool:
        """Wait `seconds` or until stopped; True if stopped."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stopping.wait(), seconds)
        return self._stopping.is_set()
