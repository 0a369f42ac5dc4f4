"""The contract suite of the `StatsReader` port: every test runs against each adapter, and each
answer must equal the plain recount of the timeline (`oracle.py`) row for row, in the same
order, on random histories: every grouping, filters, the days where counts change, summary
cells, trends by year and month, sums beyond 2**53.

Adapters: PostgreSQL; the in-memory copy as loaded; the same copy adding its sums in two halves
of their bits (as it does past 2**53); and a copy taken part way through a history then
patched with the deltas the writer recorded while applying the rest in shuffled batches with
duplicates.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import case, literal_column, select
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from hoptac.contracts.organization import MAX_CHARTER_CAPITAL
from hoptac.reporting.adapters import codes, projection, queries
from hoptac.reporting.adapters.event_mapping import IncomingEvent, from_envelope
from hoptac.reporting.adapters.memory_copy import InMemoryStatsReader
from hoptac.reporting.adapters.tables import timeline
from hoptac.reporting.domain.periods import periods
from hoptac.reporting.domain.reading import StatsReader
from hoptac.reporting.domain.stats import StatsQuery, parse_query
from hoptac.reporting.handlers import Reporting

from ..histories import TODAY, FakeRegistry, base_record, histories, interesting_days
from . import oracle

ADAPTERS = [
    pytest.param(name, marks=pytest.mark.integration)
    for name in ("postgresql", "memory", "memory_in_halves", "memory_patched")
]
GROUPINGS = [
    None,
    "status",
    "province,status_class",
    "kind,sector_group",
    "commune",
    "legacy_district",
    "sector_class,status_class",
    "legacy_commune,commune",
    "legacy_province,legacy_district,province,status",
]
FILTERS: list[dict[str, str | None]] = [
    {},
    {"province": "96"},
    {"status_class": "stopped", "sector_class": "agriculture"},
    {"commune": "31825,32002", "kind": "cooperative"},
    {"legacy_district": "964", "status": "operating,dissolved"},
]
TRENDS = [("year", date(2015, 1, 1)), ("month", date(2019, 3, 1))]
EXAMPLES = settings(
    max_examples=12,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
Batches = list[list[dict[str, Any]]]


async def read_timeline(engine: AsyncEngine) -> list[oracle.Row]:
    t = timeline.c
    open_ = case((t.valid_to == literal_column("'infinity'"), None), else_=t.valid_to)
    columns = [c for c in t if c.name != "valid_to"]
    async with engine.connect() as conn:
        result = await conn.execute(select(*columns, open_.label("valid_to")))
        return [codes.decode(row._mapping) for row in result]


@asynccontextmanager
async def opened(
    adapter: str, engine: AsyncEngine, log: list[dict[str, Any]], batches: Batches
) -> AsyncIterator[StatsReader]:
    """The adapter over the projection of `log` then `batches`, applied one by one; the
    patched copy is taken after `log`, the others after everything."""
    reporting = Reporting(engine, in_memory=True, memory_refresh_seconds=3600)
    async with engine.begin() as conn:
        await projection.clear(conn)
    await reporting.apply(_events(log))
    if adapter != "memory_patched":
        for batch in batches:
            await reporting.apply(_events(batch))
        batches = []
    assert reporting.copy is not None
    columns = await reporting.copy.load()
    assert columns is not None
    for batch in batches:
        await reporting.apply(_events(batch))
    async with engine.connect() as conn:
        if adapter == "postgresql":
            yield queries.SqlStatsReader(conn)
        elif adapter == "memory":
            yield InMemoryStatsReader(columns)
        elif adapter == "memory_in_halves":
            halves = dict.fromkeys(columns.total_abs, 2.0**53)
            yield InMemoryStatsReader(dataclasses.replace(columns, total_abs=halves))
        else:
            reader = await reporting.copy.reader_at(await queries.generation(conn))
            assert reader is not None, "the deltas cover every change since the copy"
            yield reader
    await reporting.copy.close()


def _events(envelopes: list[dict[str, Any]]) -> list[IncomingEvent]:
    return [from_envelope(envelope) for envelope in envelopes]


async def same_as_recount(
    reader: StatsReader, engine: AsyncEngine, days: list[date], trends: bool = True
) -> None:
    rows = await read_timeline(engine)
    for index, day in enumerate(days):
        # Every grouping on a few days, every day with some grouping and filter.
        for number, group_by in enumerate(GROUPINGS):
            if index % 7 and number != index % len(GROUPINGS):
                continue
            query = parse_query(day, group_by, FILTERS[(index + number) % len(FILTERS)])
            assert await reader.stats(query) == oracle.stats(rows, query), query
        query = parse_query(day, None, FILTERS[index % len(FILTERS)])
        assert await reader.summary_cells(query) == oracle.summary_cells(rows, query), query
    for unit, start in TRENDS if trends else []:
        for given_filters in FILTERS[:3]:
            query = parse_query(TODAY, None, given_filters)
            spans = periods(unit, start, TODAY)
            expected = oracle.trends(rows, query, spans)
            assert await reader.trends(query, spans) == expected, (unit, given_filters)


@pytest.mark.parametrize("adapter", ADAPTERS)
@EXAMPLES
@given(registry=histories(max_organizations=5), data=st.data())
def test_answers_equal_the_recount_of_the_timeline(
    database_url: str, adapter: str, registry: FakeRegistry, data: st.DataObject
) -> None:
    log, batches = registry.log, []
    if adapter == "memory_patched":
        taken = data.draw(st.integers(0, len(log)), label="events before the copy is taken")
        log, rest = registry.log[:taken], registry.log[taken:]
        while rest:
            size = data.draw(st.integers(1, len(rest)), label="batch size")
            again = data.draw(st.lists(st.sampled_from(registry.log), max_size=2))
            batch = list(rest[:size]) + again
            batches.append(data.draw(st.permutations(batch), label="batch order"))
            rest = rest[size:]
    days = [day for day in interesting_days(registry) if day <= TODAY]
    asyncio.run(_check(database_url, adapter, log, batches, days))


async def _check(
    database_url: str, adapter: str, log: list[dict[str, Any]], batches: Batches, days: list[date]
) -> None:
    engine = create_async_engine(database_url)
    try:
        async with opened(adapter, engine, log, batches) as reader:
            # Trends are never added in halves: they refuse sums past 2**53 instead.
            await same_as_recount(reader, engine, days, trends=adapter != "memory_in_halves")
    finally:
        await engine.dispose()


@pytest.mark.parametrize("adapter", ADAPTERS)
async def test_an_empty_projection_answers_zeros(database_url: str, adapter: str) -> None:
    engine = create_async_engine(database_url)
    try:
        async with opened(adapter, engine, [], []) as reader:
            await same_as_recount(reader, engine, [TODAY], trends=adapter != "memory_in_halves")
            assert (await reader.stats(StatsQuery(TODAY)))[0]["organizations"] == 0
    finally:
        await engine.dispose()


@pytest.mark.parametrize("adapter", ADAPTERS)
async def test_sums_beyond_float_precision_stay_exact(database_url: str, adapter: str) -> None:
    # Each at most the contract's bound, and exact in float64; their sum (about 10^16, odd) is
    # not.
    count, capital = 1001, MAX_CHARTER_CAPITAL
    registry = FakeRegistry()
    log = [
        registry.register(base_record(number, date(2020, 1, 1), charter_capital=capital - number))
        for number in range(count)
    ]
    engine = create_async_engine(database_url)
    try:
        async with opened(adapter, engine, log[:-1], [log[-1:]]) as reader:
            rows = await read_timeline(engine)
            for group_by in (None, "status", "province,commune"):
                query = parse_query(TODAY, group_by, {})
                assert await reader.stats(query) == oracle.stats(rows, query)
            query = StatsQuery(TODAY)
            expected = count * capital - count * (count - 1) // 2
            assert expected > 2**53
            assert (await reader.stats(query))[0]["charter_capital"] == expected
            assert await reader.summary_cells(query) == oracle.summary_cells(rows, query)
    finally:
        await engine.dispose()
