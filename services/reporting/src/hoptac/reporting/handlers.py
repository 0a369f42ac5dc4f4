"""The reporting service's use cases: a writer that applies events (writer.py) and a reader
that answers statistics and reports (reader.py), sharing the in-memory copy of the timeline
when there is one."""

from __future__ import annotations

from collections.abc import AsyncIterable, Mapping, Sequence
from typing import Any

from prometheus_client import CollectorRegistry
from sqlalchemy.ext.asyncio import AsyncEngine

from hoptac.contracts.vietnam_time import vietnam_today
from hoptac.platform.consumer import Message
from hoptac.platform.tracking import Tracking
from hoptac.reporting.adapters.event_mapping import IncomingEvent
from hoptac.reporting.adapters.memory_copy import MemoryCopy
from hoptac.reporting.clock import Today
from hoptac.reporting.metrics import Metrics
from hoptac.reporting.reader import Reader
from hoptac.reporting.writer import RebuildReport, Writer

__all__ = ["Metrics", "RebuildReport", "Reporting"]


class Reporting:
    def __init__(
        self,
        engine: AsyncEngine,
        today: Today = vietnam_today,
        metrics: CollectorRegistry | None = None,
        cache_size: int = 0,
        in_memory: bool = False,
        memory_refresh_seconds: float = 1.0,
        area_names: Mapping[str, Mapping[str, str]] | None = None,
    ) -> None:
        self.engine = engine
        self.today = today
        self.copy = MemoryCopy(engine, memory_refresh_seconds) if in_memory else None
        measured = Metrics(metrics)
        self.writer = Writer(engine, measured, self.copy)
        self.reader = Reader(engine, measured, cache_size, self.copy, area_names)
        self.gap_seen = self.writer.gap_seen  # set when the consumer sees a sequence missing

    @property
    def metrics(self) -> Metrics:
        return self.reader.metrics

    @metrics.setter
    def metrics(self, metrics: Metrics) -> None:  # the app puts them on its own /metrics
        self.reader.metrics = self.writer.metrics = metrics

    @property
    def tracking(self) -> Tracking | None:
        return self.writer.tracking

    # What the consumer, its gap filling, the rebuild and the app's lifespan call.

    async def apply(self, events: Sequence[IncomingEvent]) -> list[IncomingEvent]:
        return await self.writer.apply(events)

    async def read_tracking(self) -> Tracking:
        return await self.writer.read_tracking()

    async def catch_up(self, pages: AsyncIterable[list[dict[str, Any]]]) -> int:
        return await self.writer.catch_up(pages)

    async def handle_messages(self, messages: list[Message]) -> None:
        await self.writer.handle_messages(messages)

    async def rebuild(self, pages: AsyncIterable[list[dict[str, Any]]]) -> RebuildReport:
        return await self.writer.rebuild(pages)

    def refresh_columns_soon(self) -> None:
        if self.copy is not None:
            self.copy.refresh_soon()

    async def size(self) -> dict[str, int]:
        return await self.reader.size()

    async def close(self) -> None:
        if self.copy is not None:
            await self.copy.close()
        await self.engine.dispose()
