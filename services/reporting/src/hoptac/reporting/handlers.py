"""The reporting service's use cases: apply events, answer statistics and reports."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterable, Awaitable, Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import numpy as np
from prometheus_client import CollectorRegistry, Counter, Histogram
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from hoptac.platform.consumer import Message, Poison
from hoptac.platform.tracking import Tracking
from hoptac.reporting.adapters import projection, queries
from hoptac.reporting.adapters.answer_cache import AnswerCache
from hoptac.reporting.adapters.columns import Columns, TooLarge, changed_rows
from hoptac.reporting.adapters.event_mapping import (
    IncomingEvent,
    NotAnEvent,
    from_envelope,
    from_message,
)
from hoptac.reporting.adapters.patches import Delta, Deltas, Patched
from hoptac.reporting.clock import Today, vietnam_today
from hoptac.reporting.domain.periods import periods
from hoptac.reporting.domain.stats import StatsQuery, shape
from hoptac.reporting.domain.summary import summarize

log = logging.getLogger(__name__)
APPLY_WAIT_SECONDS = 0.05


class Metrics:
    def __init__(self, registry: CollectorRegistry | None) -> None:
        self.query_seconds = Histogram(
            "hoptac_reporting_query_seconds",
            "Time to compute a statistics query or report (database or in-memory copy)",
            ["report"],
            buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5),
            registry=registry,
        )
        self.answers = Counter(
            "hoptac_reporting_answers",
            "Answers by report: from the database, the in-memory copy, or kept from an earlier "
            "identical request",
            ["report", "source"],
            registry=registry,
        )
        self.memory_load_seconds = Histogram(
            "hoptac_reporting_memory_load_seconds",
            "Time to read the in-memory copy of the timeline from the database",
            buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
            registry=registry,
        )
        self.commit_to_counted = Histogram(
            "hoptac_reporting_commit_to_counted_seconds",
            "From the registry's commit of an event to its effect committed in the projection",
            buckets=(0.01, 0.025, 0.05, 0.1, 0.2, 0.3, 0.5, 1, 2.5, 5, 10, 30, 60),
            registry=registry,
        )


@dataclass(frozen=True)
class RebuildReport:
    events: int
    applied: int
    last_sequence: int
    seconds: float


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
        self.area_names = area_names or {}  # key -> code -> name, for the rows' labels
        self.today = today
        self.metrics = Metrics(metrics)
        self.cache = AnswerCache(cache_size)
        # The in-memory copy of the timeline (adapters/columns.py): used only while its
        # generation is the current one; reloaded in the background, at most once per
        # `memory_refresh_seconds` and never more than a fifth of the time (4 times the last
        # load's duration between loads), when a request finds it behind.
        self.in_memory = in_memory
        self.memory_refresh_seconds = memory_refresh_seconds
        self.columns: Columns | None = None
        self.deltas = Deltas()
        self._applied = asyncio.Event()  # clear while this process applies a batch
        self._applied.set()
        self._loading: asyncio.Task[None] | None = None
        self._load_started = -float("inf")
        self._load_seconds = 0.0
        # The change-log sequences held (see hoptac.platform.tracking); None until read.
        self.tracking: Tracking | None = None
        self.gap_seen = asyncio.Event()

    # Writes: the consumer and rebuilds.

    async def apply(self, events: Sequence[IncomingEvent]) -> list[IncomingEvent]:
        changed = None
        self._applied.clear()
        try:
            async with self.engine.begin() as conn:
                new = await projection.apply(conn, list(events))
                touched = sorted({e.organization_id for e in new})
                if touched and self.in_memory:  # what the copy needs to answer without a reload
                    changed = await changed_rows(conn, touched)
            if changed is not None:
                generation, rows = changed
                ids = np.array([organization.bytes for organization in touched], dtype="S16")
                self.deltas.add(Delta(generation, ids, rows))  # sorted and unique, as UUIDs are
        finally:
            self._applied.set()
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
                applied += len(await projection.apply(conn, events))
            count += len(events)
            last = max(last, *(e.sequence for e in events))
        if first:
            async with self.engine.begin() as conn:
                await projection.clear(conn)
        return RebuildReport(count, applied, last, time.perf_counter() - started)

    # Reads.

    async def load_columns(self) -> Columns | None:
        """Read the in-memory copy now (it replaces an older one); None if it cannot be exact."""
        started = time.perf_counter()
        async with self.engine.connect() as conn:
            columns = await Columns.load(conn)
        self._load_seconds = time.perf_counter() - started
        self.metrics.memory_load_seconds.observe(self._load_seconds)
        held = self.columns
        if columns is not None and (held is None or columns.generation >= held.generation):
            self.columns = columns
            self.deltas.forget_through(columns.generation)
        return columns

    def refresh_columns_soon(self) -> None:
        """Start a background reload of the copy, unless one runs or one started too recently."""
        if not self.in_memory or (self._loading is not None and not self._loading.done()):
            return
        now = time.monotonic()
        pause = max(self.memory_refresh_seconds, 5 * self._load_seconds)
        if now - self._load_started < pause:
            return
        self._load_started = now
        self._loading = asyncio.get_running_loop().create_task(self._reload())

    async def _reload(self) -> None:
        try:
            await self.load_columns()
        except Exception:  # the database path answers meanwhile; the next request retries
            log.exception("could not load the in-memory copy of the timeline")

    async def close(self) -> None:
        if self._loading is not None:
            self._loading.cancel()
            await asyncio.gather(self._loading, return_exceptions=True)
        await self.engine.dispose()

    async def _answer(
        self,
        report: str,
        key: Hashable,
        from_columns: Callable[[Columns | Patched], dict[str, Any]],
        compute: Callable[[AsyncConnection], Awaitable[dict[str, Any]]],
    ) -> dict[str, Any]:
        """`compute`'s answer, or the same answer kept from a request since which the
        projection has not changed, or computed from the in-memory copy of the timeline
        taken at the current generation. Answers are shared: callers must not modify them."""
        async with self.engine.connect() as conn:
            current = self.cache.size or self.in_memory
            generation = await queries.generation(conn) if current else 0
            held = self.cache.get((report, key), generation)
            if held is not None:
                self.metrics.answers.labels(report, "cache").inc()
                return held
            answer: dict[str, Any] | None = None
            view = self._copy_at(generation)
            if view is None and not self._applied.is_set():
                # The consumer's batch may have committed this generation and not yet handed
                # its delta over: a moment's wait is cheaper than asking PostgreSQL.
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._applied.wait(), APPLY_WAIT_SECONDS)
                view = self._copy_at(generation)
            if view is not None:
                try:
                    with self.metrics.query_seconds.labels(report).time():
                        answer = from_columns(view)
                    source = "memory"
                except TooLarge:
                    answer = None
            if answer is None:
                self.refresh_columns_soon()
                with self.metrics.query_seconds.labels(report).time():
                    answer = await compute(conn)
                source = "database"
        self.metrics.answers.labels(report, source).inc()
        self.cache.put((report, key), generation, answer)
        return answer

    def _copy_at(self, generation: int) -> Columns | Patched | None:
        """The in-memory copy as of `generation`: as loaded, or patched with the deltas the
        consumer recorded since (a reload is started once they pile up)."""
        columns = self.columns if self.in_memory else None
        if columns is None or columns.generation == generation:
            return columns
        view = self.deltas.view(columns, generation)
        if view is not None and self.deltas.full:
            self.refresh_columns_soon()
        return view

    async def stats(self, query: StatsQuery) -> dict[str, Any]:
        def answer_of(found: list[dict[str, Any]]) -> dict[str, Any]:
            answer = shape(query, found, self.area_names)
            return {
                "as_of": query.as_of.isoformat(),
                "group_by": list(query.group_by),
                "filters": _filters(query),
                "rows": answer.rows,
                "totals": answer.totals,
                "notes": answer.notes,
            }

        async def compute(conn: AsyncConnection) -> dict[str, Any]:
            return answer_of(await queries.stats(conn, query))

        return await self._answer(
            "stats", _key(query), lambda columns: answer_of(columns.stats(query)), compute
        )

    async def summary(self, query: StatsQuery) -> dict[str, Any]:
        def answer_of(cells: list[dict[str, Any]]) -> dict[str, Any]:
            return {
                "as_of": query.as_of.isoformat(),
                "filters": _filters(query),
                **summarize(cells).as_dict(),
            }

        async def compute(conn: AsyncConnection) -> dict[str, Any]:
            return answer_of(await queries.summary_cells(conn, query))

        return await self._answer(
            "summary", _key(query), lambda columns: answer_of(columns.summary_cells(query)), compute
        )

    async def trends(self, query: StatsQuery, unit: str, start: date) -> dict[str, Any]:
        spans = periods(unit, start, query.as_of)

        def answer_of(found: list[dict[str, int]]) -> dict[str, Any]:
            rows = [
                {
                    "period": first.isoformat()[: 4 if unit == "year" else 7],
                    "from": first.isoformat(),
                    "to": last.isoformat(),
                    **row,
                }
                for (first, last), row in zip(spans, found, strict=True)
            ]
            return {
                "unit": unit,
                "from": start.isoformat(),
                "to": query.as_of.isoformat(),
                "filters": _filters(query),
                "periods": rows,
            }

        async def compute(conn: AsyncConnection) -> dict[str, Any]:
            return answer_of(await queries.trends(conn, query, spans))

        return await self._answer(
            "trends",
            (_key(query), unit, start),
            lambda columns: answer_of(columns.trends(query, spans)),
            compute,
        )

    async def size(self) -> dict[str, int]:
        async with self.engine.connect() as conn:
            return dict(await queries.size(conn))


def _filters(query: StatsQuery) -> dict[str, list[str]]:
    return {key: list(values) for key, values in query.filters.items()}


def _key(query: StatsQuery) -> Hashable:
    return (query.as_of, query.group_by, tuple(sorted(query.filters.items())))
