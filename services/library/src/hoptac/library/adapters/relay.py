"""Publishes the outbox to JetStream in sequence order, in the library's own process.

A crash at any point loses nothing: a row stays unpublished until JetStream acknowledges it, and
a row sent again carries the same Nats-Msg-Id. Two instances publishing at once send some events
twice; JetStream drops them inside its duplicate window, readers by `document_version` beyond it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from nats.aio.client import Client
from nats.js.api import StorageType, StreamConfig
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from hoptac.contracts.library import LIBRARY_STREAM, LIBRARY_SUBJECT_PREFIX
from hoptac.library.adapters.repository import encode
from hoptac.library.adapters.tables import outbox
from hoptac.platform.outbox_publishing import ensure_stream, publish_in_order

log = logging.getLogger("hoptac.library.relay")


def stream_config(max_age_days: int, replicas: int) -> StreamConfig:
    return StreamConfig(
        name=LIBRARY_STREAM,
        num_replicas=replicas,
        subjects=[f"{LIBRARY_SUBJECT_PREFIX}.>"],
        storage=StorageType.FILE,
        max_age=max_age_days * 86400,
        duplicate_window=1200,
    )


class Relay:
    def __init__(
        self, engine: AsyncEngine, nc: Client, batch_size: int, poll_seconds: float
    ) -> None:
        self.engine = engine
        self.nc = nc
        self.batch_size = batch_size
        self.poll_seconds = poll_seconds
        self.wake = asyncio.Event()  # set after each commit, so events leave at once

    async def step(self) -> int:
        """Publish one batch; returns how many rows were settled."""
        async with self.engine.connect() as conn:
            rows = list(
                await conn.execute(
                    select(outbox.c.id, outbox.c.event_id, outbox.c.subject, outbox.c.body)
                    .where(outbox.c.published_at.is_(None), outbox.c.held_reason.is_(None))
                    .order_by(outbox.c.id)
                    .limit(self.batch_size)
                )
            )
        if not rows:
            return 0
        outcome = await publish_in_order(
            self.nc.jetstream(), rows, _body, 10.0, self.nc.max_payload
        )
        async with self.engine.begin() as conn:
            if outcome.published:
                await conn.execute(
                    update(outbox)
                    .where(outbox.c.id.in_(outcome.published))
                    .values(published_at=func.now())
                )
            for row_id, reason in outcome.held.items():
                log.error("set aside library outbox row %s: %s", row_id, reason)
                await conn.execute(
                    update(outbox).where(outbox.c.id == row_id).values(held_reason=reason)
                )
        return outcome.settled

    async def run(self, stop: asyncio.Event, max_age_days: int, replicas: int) -> None:
        while not stop.is_set():
            try:
                await ensure_stream(self.nc.jetstream(), stream_config(max_age_days, replicas))
                while not stop.is_set():
                    self.wake.clear()
                    if await self.step() < self.batch_size:
                        await self._wait(stop)
            except Exception as error:  # report, wait, try again; nothing is lost
                log.warning("library relay failed, retrying: %s: %s", type(error).__name__, error)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), self.poll_seconds)

    async def _wait(self, stop: asyncio.Event) -> None:
        waits = [asyncio.ensure_future(self.wake.wait()), asyncio.ensure_future(stop.wait())]
        await asyncio.wait(waits, timeout=self.poll_seconds, return_when=asyncio.FIRST_COMPLETED)
        for waiter in waits:
            waiter.cancel()


def _body(row: Any) -> bytes:
    return encode(row.body)


async def backlog_age(engine: AsyncEngine) -> float:
    """Seconds the oldest unpublished event has waited (0 when none waits)."""
    async with engine.connect() as conn:
        oldest = await conn.scalar(
            select(func.extract("epoch", func.now() - func.min(outbox.c.recorded_at))).where(
                outbox.c.published_at.is_(None), outbox.c.held_reason.is_(None)
            )
        )
    return float(oldest or 0.0)
