"""The write side of the service layer: events in, applied to the projection exactly once."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from hoptac.platform.consumer import Message, Poison
from hoptac.platform.tracking import Tracking
from hoptac.reporting.adapters import projection
from hoptac.reporting.adapters.event_mapping import (
    IncomingEvent,
    NotAnEvent,
    from_envelope,
    from_message,
)
from hoptac.reporting.adapters.memory_copy import MemoryCopy
from hoptac.reporting.metrics import Metrics

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RebuildReport:
    events: int
    applied: int
    last_sequence: int
    seconds: float


class Writer:
    def __init__(self, engine: AsyncEngine, metrics: Metrics, copy: MemoryCopy | None) -> None:
        self.engine = engine
        self.metrics = metrics
        self.copy = copy  # told what each batch changed, so that it answers without a reload
        # The change-log sequences held (see hoptac.platform.tracking); None until read.
        self.tracking: Tracking | None = None
        self.gap_seen = asyncio.Event()

    async def apply(self, events: Sequence[IncomingEvent]) -> list[IncomingEvent]:
        """Apply events in any order, duplicates included, in one transaction; returns the new."""
        new = await self._apply(events)
        if self.tracking is not None:
            self.tracking = self.tracking.with_applied(e.sequence for e in events)
            if self.tracking.gap is not None:
                self.gap_seen.set()
        return new

    async def read_tracking(self) -> Tracking:
        since = self.tracking.contiguous_through if self.tracking else 0
        async with self.engine.connect() as conn:
            self.tracking = await projection.tracking(conn, since)
        if self.tracking.gap is not None:
            self.gap_seen.set()
        return self.tracking

    async def catch_up(self, pages: AsyncIterable[list[dict[str, Any]]]) -> int:
        """Apply change-log pages (to fill a gap). A row this release cannot read is logged
        and left out: its gap stays, and is looked at again."""
        applied = 0
        async for page in pages:
            events = []
            for envelope in page:
                try:
                    events.append(from_envelope(envelope))
                except NotAnEvent as error:
                    log.error(
                        "change-log sequence %s left out: %s", envelope.get("sequence"), error
                    )
            applied += len(await self.apply(events))
        return applied

    async def _apply(self, events: Sequence[IncomingEvent]) -> list[IncomingEvent]:
        if self.copy is None:
            async with self.engine.begin() as conn:
                return (await projection.apply(conn, list(events))).new
        async with self.copy.writing():
            async with self.engine.begin() as conn:
                applied = await projection.apply(conn, list(events))
            if applied.generation is not None:
                touched = sorted({e.organization_id for e in applied.new})
                self.copy.record(applied.generation, touched, applied.timelines)
        return applied.new

    async def handle_messages(self, messages: list[Message]) -> None:
        """The consumer's handler: all of a batch in one transaction, or none of it."""
        events = []
        for message in messages:
            try:
                events.append(from_message(message.data))
            except NotAnEvent as error:
                raise Poison(f"not an organisation event ({error})") from error
        new = await self.apply(events)
        now = datetime.now(UTC)
        for event in new:
            self.metrics.commit_to_counted.observe(
                max(0.0, (now - event.recorded_at).total_seconds())
            )

    async def rebuild(self, pages: AsyncIterable[list[dict[str, Any]]]) -> RebuildReport:
        """Empty the projection and apply the registry's whole change log, page by page.

        The emptying commits with the first page, so readers never see an empty projection
        unless the change log itself is empty.
        """
        started = time.perf_counter()
        count = applied = last = 0
        first = True
        async for page in pages:
            events = [from_envelope(envelope) for envelope in page]
            async with self.engine.begin() as conn:
                if first:
                    await projection.clear(conn)
                    first = False
                applied += len((await projection.apply(conn, events)).new)
            count += len(events)
            last = max(last, *(e.sequence for e in events))
        if first:
            async with self.engine.begin() as conn:
                await projection.clear(conn)
        return RebuildReport(count, applied, last, time.perf_counter() - started)
