"""One process's in-memory copy of the timeline, kept current, and the `StatsReader` over it.

The copy (adapters/columns.py) is read from one snapshot; the writer of the same process hands
over what each of its batches changed (adapters/patches.py), so the copy answers at every
generation those deltas cover; otherwise the caller reads PostgreSQL and the copy is reloaded
in the background: at most once per `refresh_seconds`, and never more than a fifth of the time
(four times the last load's duration between loads).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from typing import Any
from uuid import UUID

import numpy as np
from sqlalchemy.ext.asyncio import AsyncEngine

from hoptac.reporting.adapters.columns import Columns, records_of
from hoptac.reporting.adapters.patches import Delta, Deltas, Patched
from hoptac.reporting.domain.reading import Periods
from hoptac.reporting.domain.stats import StatsQuery

log = logging.getLogger(__name__)
WRITER_WAIT_SECONDS = 0.05


class InMemoryStatsReader:
    """The `StatsReader` port answered from the copy as of one generation (may raise
    `TooLarge`: then PostgreSQL answers)."""

    def __init__(self, view: Columns | Patched) -> None:
        self.view = view

    async def stats(self, query: StatsQuery) -> list[dict[str, Any]]:
        return self.view.stats(query)

    async def summary_cells(self, query: StatsQuery) -> list[dict[str, Any]]:
        return self.view.summary_cells(query)

    async def trends(self, query: StatsQuery, periods: Periods) -> list[dict[str, int]]:
        return self.view.trends(query, periods)


class MemoryCopy:
    def __init__(
        self, engine: AsyncEngine, refresh_seconds: float = 1.0, max_delta_rows: int = 20_000
    ) -> None:
        self.engine = engine
        self.refresh_seconds = refresh_seconds
        self.columns: Columns | None = None
        self.deltas = Deltas(max_delta_rows)
        self.on_load: Callable[[float], None] = lambda seconds: None
        self._written = asyncio.Event()  # clear while this process's writer applies a batch
        self._written.set()
        self._loading: asyncio.Task[None] | None = None
        self._load_started = -float("inf")
        self._load_seconds = 0.0

    # The writer's side.

    @contextlib.asynccontextmanager
    async def writing(self) -> AsyncIterator[None]:
        """Around a batch: readers that find the copy one generation behind wait a moment
        for its delta rather than ask PostgreSQL."""
        self._written.clear()
        try:
            yield
        finally:
            self._written.set()

    def record(
        self,
        generation: int,
        touched: Sequence[UUID],
        timelines: Sequence[Mapping[str, Any]],
    ) -> None:
        """After a batch committed: hand over the generation it made and the whole timeline of
        every organisation it touched (sorted, unique), as it inserted them."""
        rows = records_of(timelines)
        if rows is None:  # an area code the copy cannot hold: no copy can be exact
            return
        ids = np.array([organization.bytes for organization in touched], dtype="S16")
        self.deltas.add(Delta(generation, ids, rows))  # sorted and unique, as UUIDs are

    # The reader's side.

    async def reader_at(self, generation: int) -> InMemoryStatsReader | None:
        """A reader of the copy as of `generation`, or None if the copy cannot give it."""
        view = self._view_at(generation)
        if view is None and not self._written.is_set():
            # The writer's batch may have committed this generation and not yet handed its
            # delta over: a moment's wait is cheaper than asking PostgreSQL.
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._written.wait(), WRITER_WAIT_SECONDS)
            view = self._view_at(generation)
        if view is None:
            self.refresh_soon()
            return None
        return InMemoryStatsReader(view)

    def _view_at(self, generation: int) -> Columns | Patched | None:
        """The copy as loaded, or patched with the deltas recorded since (a reload is started
        once they pile up)."""
        columns = self.columns
        if columns is None or columns.generation == generation:
            return columns
        view = self.deltas.view(columns, generation)
        if view is not None and self.deltas.full:
            self.refresh_soon()
        return view

    async def load(self) -> Columns | None:
        """Read the copy now (it replaces an older one); None if it cannot be exact."""
        started = time.perf_counter()
        async with self.engine.connect() as conn:
            columns = await Columns.load(conn)
        self._load_seconds = time.perf_counter() - started
        self.on_load(self._load_seconds)
        held = self.columns
        if columns is not None and (held is None or columns.generation >= held.generation):
            self.columns = columns
            self.deltas.forget_through(columns.generation)
        return columns

    def refresh_soon(self) -> None:
        """Start a background reload, unless one runs or one started too recently."""
        if self._loading is not None and not self._loading.done():
            return
        now = time.monotonic()
        pause = max(self.refresh_seconds, 5 * self._load_seconds)
        if now - self._load_started < pause:
            return
        self._load_started = now
        self._loading = asyncio.get_running_loop().create_task(self._reload())

    async def _reload(self) -> None:
        try:
            await self.load()
        except Exception:  # PostgreSQL answers meanwhile; the next request retries
            log.exception("could not load the in-memory copy of the timeline")

    async def close(self) -> None:
        if self._loading is not None:
            self._loading.cancel()
            await asyncio.gather(self._loading, return_exceptions=True)
