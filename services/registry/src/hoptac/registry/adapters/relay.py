"""The outbox relay: numbers committed outbox rows and publishes them to JetStream.

Exactly one relay leads at a time (a PostgreSQL advisory lock held by its session); others wait.
A crash at any point loses nothing: rows stay unpublished until acknowledged, and a republished
event carries the same Nats-Msg-Id.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from dataclasses import dataclass
from typing import Any

import asyncpg
from nats.aio.client import Client
from prometheus_client import Counter, Histogram
from sqlalchemy.ext.asyncio import AsyncEngine

from hoptac.platform.dsn import asyncpg_dsn
from hoptac.platform.outbox_publishing import Outcome
from hoptac.registry.adapters import outbox
from hoptac.registry.adapters.jetstream import publish_in_order
from hoptac.registry.adapters.repository import OUTBOX_CHANNEL

log = logging.getLogger("hoptac.registry.relay")

LEADER_LOCK = 0x72656C6179  # "relay"

PUBLISHED = Counter("hoptac_relay_published_total", "Events published to JetStream")
HELD = Counter("hoptac_relay_held_total", "Events set aside because JetStream can never take them")
FAILURES = Counter("hoptac_relay_failures_total", "Relay iterations that failed and were retried")
PUBLISH_LAG = Histogram(
    "hoptac_relay_publish_lag_seconds",
    "From commit (recorded_at) to JetStream acknowledgement",
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60),
)


@dataclass(frozen=True)
class RelayOptions:
    batch_size: int = 256
    poll_seconds: float = 1.0
    coalesce_seconds: float = 0.005
    publish_timeout: float = 10.0
    retry_seconds: float = 0.5


def _through(settled: list[Any]) -> int | None:
    """The sequence the settled rows carry the change log's publication mark to: the highest
    of those not given back by an operator (those are behind the mark already)."""
    fresh = [row.sequence for row in settled if not row.retried]
    return max(fresh) if fresh else None


class OutboxRelay:
    def __init__(self, engine: AsyncEngine, nc: Client, options: RelayOptions) -> None:
        self.engine = engine
        self.nc = nc
        self.js = nc.jetstream()
        self.options = options
        self.leading = False

    async def step(self) -> int:
        """Number what committed, publish one batch; returns how many rows were settled
        (published, or set aside because JetStream can never take them)."""
        async with self.engine.begin() as conn:
            await outbox.assign_sequences(conn, self.options.batch_size)
            rows = await outbox.unpublished(conn, self.options.batch_size)
        if not rows:
            return 0
        outcome = await publish_in_order(
            self.js, rows, self.options.publish_timeout, self.nc.max_payload
        )
        if outcome.settled:
            # `publish_in_order` settles an unbroken prefix of the batch.
            settled = rows[: outcome.settled]
            await self._record(settled, outcome)
            self._observe(settled, outcome)
        if outcome.settled < len(rows):
            raise RuntimeError(
                f"JetStream acknowledged {len(outcome.published)} of {len(rows)} events"
            )
        return outcome.settled

    async def _record(self, settled: list[Any], outcome: Outcome) -> None:
        """Write down what became of the settled rows: the held set aside (by sequence), the
        retried ones published no longer held, and the publication mark moved past them."""
        held = {row.sequence: outcome.held[row.id] for row in settled if row.id in outcome.held}
        retried = [row.sequence for row in settled if row.retried and row.id not in outcome.held]
        async with self.engine.begin() as conn:
            await outbox.hold(conn, held)
            await outbox.mark_published(conn, retried, _through(settled))

    @staticmethod
    def _observe(settled: list[Any], outcome: Outcome) -> None:
        now = time.time()
        for row in settled:
            if row.id in outcome.held:
                log.error(
                    "set aside outbox sequence %s (event %s): %s; the events behind it go on. "
                    "See `hoptac registry outbox list`.",
                    row.sequence,
                    row.event_id,
                    outcome.held[row.id],
                )
            else:
                PUBLISH_LAG.observe(max(0.0, now - row.recorded_at.timestamp()))
        PUBLISHED.inc(len(outcome.published))
        HELD.inc(len(outcome.held))

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                await self._lead(stop)
            except Exception as error:  # any failure: report, wait, try again; nothing is lost
                FAILURES.inc()
                log.warning("relay iteration failed, retrying: %s: %s", type(error).__name__, error)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), self.options.retry_seconds)

    async def _wait_for_work(self, wake: asyncio.Event, stop: asyncio.Event) -> None:
        waits = [asyncio.ensure_future(wake.wait()), asyncio.ensure_future(stop.wait())]
        await asyncio.wait(
            waits, timeout=self.options.poll_seconds, return_when=asyncio.FIRST_COMPLETED
        )
        for waiter in waits:
            waiter.cancel()
        if wake.is_set() and not stop.is_set():
            # Commits arriving together are published together: one step, not one per commit.
            await asyncio.sleep(self.options.coalesce_seconds)

    async def _lead(self, stop: asyncio.Event) -> None:
        conn = await asyncpg.connect(
            asyncpg_dsn(self.engine.url.render_as_string(hide_password=False))
        )
        try:
            while not await conn.fetchval("SELECT pg_try_advisory_lock($1)", LEADER_LOCK):
                # Another relay leads; stand by, ready to take over when its session ends.
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), self.options.poll_seconds)
                if stop.is_set():
                    return
            log.info("this relay leads; publishing the outbox")
            self.leading = True
            wake = asyncio.Event()
            await conn.add_listener(OUTBOX_CHANNEL, lambda *_: wake.set())
            while not stop.is_set():
                wake.clear()
                if await self.step() < self.options.batch_size:
                    await self._wait_for_work(wake, stop)
                if conn.is_closed():
                    raise ConnectionError("lost the leader connection to PostgreSQL")
        finally:
            self.leading = False
            await conn.close(timeout=2)
