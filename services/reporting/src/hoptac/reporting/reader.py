"""The read side of the service layer: statistics and reports, each computed through the
`StatsReader` port (domain/reading.py) from the in-memory copy when it is current, else from
PostgreSQL, and kept while the projection does not change."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Hashable, Mapping
from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from hoptac.reporting.adapters import queries
from hoptac.reporting.adapters.answer_cache import AnswerCache
from hoptac.reporting.adapters.memory_copy import MemoryCopy
from hoptac.reporting.domain.periods import periods
from hoptac.reporting.domain.reading import StatsReader, TooLarge
from hoptac.reporting.domain.stats import StatsQuery, shape
from hoptac.reporting.domain.summary import summarize
from hoptac.reporting.metrics import Metrics


class Reader:
    def __init__(
        self,
        engine: AsyncEngine,
        metrics: Metrics,
        cache_size: int = 0,
        copy: MemoryCopy | None = None,
        area_names: Mapping[str, Mapping[str, str]] | None = None,
    ) -> None:
        self.engine = engine
        self.metrics = metrics
        self.cache = AnswerCache(cache_size)
        self.copy = copy
        if copy is not None:  # the metric looked up at each load: the app may replace it
            copy.on_load = lambda seconds: self.metrics.memory_load_seconds.observe(seconds)
        self.area_names = area_names or {}  # key -> code -> name, for the rows' labels

    async def _answer(
        self,
        report: str,
        key: Hashable,
        ask: Callable[[StatsReader], Awaitable[dict[str, Any]]],
    ) -> dict[str, Any]:
        """`ask`'s answer from the in-memory copy at the current generation, else from
        PostgreSQL; or the same answer kept from a request since which the projection has not
        changed. Answers are shared: callers must not modify them."""
        async with self.engine.connect() as conn:
            current = self.cache.size or self.copy is not None
            generation = await queries.generation(conn) if current else 0
            held = self.cache.get((report, key), generation)
            if held is not None:
                self.metrics.answers.labels(report, "cache").inc()
                return held
            answer: dict[str, Any] | None = None
            copy = await self.copy.reader_at(generation) if self.copy is not None else None
            if copy is not None:
                try:
                    with self.metrics.query_seconds.labels(report).time():
                        answer = await ask(copy)
                    source = "memory"
                except TooLarge:
                    answer = None
            if answer is None:
                with self.metrics.query_seconds.labels(report).time():
                    answer = await ask(queries.SqlStatsReader(conn))
                source = "database"
        self.metrics.answers.labels(report, source).inc()
        self.cache.put((report, key), generation, answer)
        return answer

    async def stats(self, query: StatsQuery) -> dict[str, Any]:
        async def ask(reader: StatsReader) -> dict[str, Any]:
            answer = shape(query, await reader.stats(query), self.area_names)
            return {
                "as_of": query.as_of.isoformat(),
                "group_by": list(query.group_by),
                "filters": _filters(query),
                "rows": answer.rows,
                "totals": answer.totals,
                "notes": answer.notes,
            }

        return await self._answer("stats", _key(query), ask)

    async def summary(self, query: StatsQuery) -> dict[str, Any]:
        async def ask(reader: StatsReader) -> dict[str, Any]:
            return {
                "as_of": query.as_of.isoformat(),
                "filters": _filters(query),
                **summarize(await reader.summary_cells(query)).as_dict(),
            }

        return await self._answer("summary", _key(query), ask)

    async def trends(self, query: StatsQuery, unit: str, start: date) -> dict[str, Any]:
        spans = periods(unit, start, query.as_of)

        async def ask(reader: StatsReader) -> dict[str, Any]:
            found = await reader.trends(query, spans)
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

        return await self._answer("trends", (_key(query), unit, start), ask)

    async def size(self) -> dict[str, int]:
        async with self.engine.connect() as conn:
            return dict(await queries.size(conn))


def _filters(query: StatsQuery) -> dict[str, list[str]]:
    return {key: list(values) for key, values in query.filters.items()}


def _key(query: StatsQuery) -> Hashable:
    return (query.as_of, query.group_by, tuple(sorted(query.filters.items())))
