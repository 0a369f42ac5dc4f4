"""The in-memory copy of the timeline gives PostgreSQL's answers, row for row, in the same order,
and is used only while it is as new as the projection."""

from __future__ import annotations

import asyncio
import dataclasses
from datetime import date
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.ext.asyncio import AsyncConnection, create_async_engine

from hoptac.contracts.organization import MAX_CHARTER_CAPITAL
from hoptac.reporting.adapters import projection, queries
from hoptac.reporting.adapters.columns import Columns
from hoptac.reporting.adapters.event_mapping import from_envelope
from hoptac.reporting.adapters.patches import Patched
from hoptac.reporting.domain.periods import periods
from hoptac.reporting.domain.stats import StatsQuery, parse_query
from hoptac.reporting.handlers import Reporting

from ..histories import TODAY, FakeRegistry, base_record, histories, interesting_days
from .conftest import load

pytestmark = pytest.mark.integration

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


@settings(
    max_examples=20,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(registry=histories(max_organizations=5))
def test_the_copy_answers_exactly_as_postgresql(database_url: str, registry: FakeRegistry) -> None:
    asyncio.run(_check(database_url, registry))


async def _check(database_url: str, registry: FakeRegistry) -> None:
    engine = create_async_engine(database_url)
    try:
        async with engine.begin() as conn:
            await projection.clear(conn)
        await Reporting(engine).apply([from_envelope(e) for e in registry.log])
        async with engine.connect() as conn:
            columns = await Columns.load(conn)
        assert columns is not None
        # The same copy adding its sums in two halves, as it does for totals beyond 2**53.
        halves = dataclasses.replace(columns, total_abs=dict.fromkeys(columns.total_abs, 2.0**53))
        async with engine.connect() as conn:
            await _same_answers(conn, registry, columns, halves, trends=False)
            await _same_answers(conn, registry, columns)
    finally:
        await engine.dispose()


async def _same_answers(
    conn: AsyncConnection, registry: FakeRegistry, *copies: Columns | Patched, trends: bool = True
) -> None:
    """Each copy answers what PostgreSQL answers, on every day something happened (trends
    only with `trends`: they are never added in halves)."""
    days = [day for day in interesting_days(registry) if day <= TODAY]
    for index, day in enumerate(days):
        # Every grouping on a few days, every day with some grouping and filter.
        for number, group_by in enumerate(GROUPINGS):
            if index % 7 and number != index % len(GROUPINGS):
                continue
            given = FILTERS[(index + number) % len(FILTERS)]
            query = parse_query(day, group_by, given)
            expected = await queries.stats(conn, query)
            for copy in copies:
                assert copy.stats(query) == expected, query
        query = parse_query(day, None, FILTERS[index % len(FILTERS)])
        cells = await queries.summary_cells(conn, query)
        for copy in copies:
            assert copy.summary_cells(query) == cells, query
    for unit, start in (("year", date(2015, 1, 1)), ("month", date(2019, 3, 1))):
        for given in FILTERS[:3] if trends else []:
            query = parse_query(TODAY, None, given)
            spans = periods(unit, start, TODAY)
            expected = await queries.trends(conn, query, spans)
            for copy in copies:
                assert copy.trends(query, spans) == expected, (unit, given)


@settings(
    max_examples=20,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(registry=histories(max_organizations=5), data=st.data())
def test_the_copy_patched_with_the_consumers_deltas_answers_as_postgresql(
    database_url: str, registry: FakeRegistry, data: st.DataObject
) -> None:
    """A copy taken part way through a history, then patched batch by batch (duplicates and
    shuffles included) with what this process applied, answers as PostgreSQL at every step."""
    log = registry.log
    taken = data.draw(st.integers(0, len(log)), label="events before the copy is taken")
    batches: list[list[dict[str, Any]]] = []
    rest = log[taken:]
    while rest:
        size = data.draw(st.integers(1, len(rest)), label="batch size")
        batch = list(rest[:size]) + data.draw(st.lists(st.sampled_from(log), max_size=2))
        batches.append(data.draw(st.permutations(batch), label="batch order"))
        rest = rest[size:]
    asyncio.run(_check_patched(database_url, registry, taken, batches))


async def _check_patched(
    database_url: str,
    registry: FakeRegistry,
    taken: int,
    batches: list[list[dict[str, Any]]],
) -> None:
    engine = create_async_engine(database_url)
    reporting = Reporting(engine, lambda: TODAY, in_memory=True, memory_refresh_seconds=3600)
    try:
        async with engine.begin() as conn:
            await projection.clear(conn)
        await load(reporting, registry.log[:taken])
        base = await reporting.load_columns()
        assert base is not None
        for number, batch in enumerate(batches):
            await load(reporting, batch)
            if number % 2 and number != len(batches) - 1:
                continue  # every other step, and the last
            async with engine.connect() as conn:
                generation = await queries.generation(conn)
                view = (
                    base
                    if generation == base.generation
                    else reporting.deltas.view(base, generation)
                )
                assert view is not None, "the deltas cover every change since the copy"
                await _same_answers(conn, registry, view)
    finally:
        await reporting.close()


async def test_an_empty_projection(database_url: str) -> None:
    engine = create_async_engine(database_url)
    try:
        async with engine.connect() as conn:
            columns = await Columns.load(conn)
            assert columns is not None
            for group_by in (None, "status", "commune"):
                query = parse_query(TODAY, group_by, {})
                assert columns.stats(query) == await queries.stats(conn, query)
            query = StatsQuery(TODAY)
            assert columns.summary_cells(query) == await queries.summary_cells(conn, query)
            spans = periods("year", date(2020, 1, 1), TODAY)
            assert columns.trends(query, spans) == await queries.trends(conn, query, spans)
    finally:
        await engine.dispose()


def _answers(reporting: Reporting, source: str) -> float:
    return float(reporting.metrics.answers.labels("stats", source)._value.get())


async def test_the_copy_serves_while_deltas_cover_every_change_since_it_was_taken(
    database_url: str,
) -> None:
    engine = create_async_engine(database_url)
    # A long refresh interval: no background reload during the test, only explicit ones.
    reporting = Reporting(engine, lambda: TODAY, in_memory=True, memory_refresh_seconds=3600)
    try:
        registry = FakeRegistry()
        await load(reporting, [registry.register(base_record(1, date(2020, 1, 1)))])
        await reporting.load_columns()
        query = StatsQuery(TODAY, ("status",))
        first = await reporting.stats(query)
        assert first["totals"]["organizations"] == 1
        assert _answers(reporting, "memory") == 1

        await load(reporting, [registry.register(base_record(2, date(2021, 1, 1)))])
        after = await reporting.stats(query)  # the copy patched with what this process applied
        assert after["totals"]["organizations"] == 2
        assert (_answers(reporting, "memory"), _answers(reporting, "database")) == (2, 0)

        # A change this process did not make (another process's rebuild): no delta covers it.
        await load(Reporting(engine, lambda: TODAY), [registry.register(base_record(3, TODAY))])
        third = await reporting.stats(query)
        assert third["totals"]["organizations"] == 3
        assert (_answers(reporting, "memory"), _answers(reporting, "database")) == (2, 1)

        await reporting.load_columns()
        assert await reporting.stats(query) == third
        assert _answers(reporting, "memory") == 3
    finally:
        await reporting.close()


async def test_sums_beyond_float_precision_stay_exact(database_url: str) -> None:
    registry = FakeRegistry()
    # Each at most the contract's bound, and exact in float64; their sum (about 10^16, odd) is not.
    count, capital = 1001, MAX_CHARTER_CAPITAL
    engine = create_async_engine(database_url)
    try:
        reporting = Reporting(engine, lambda: TODAY)
        records = [
            base_record(number, date(2020, 1, 1), charter_capital=capital - number)
            for number in range(count)
        ]
        await load(reporting, [registry.register(record) for record in records])
        async with engine.connect() as conn:
            columns = await Columns.load(conn)
            assert columns is not None
            for group_by in (None, "status", "province,commune"):
                query = parse_query(TODAY, group_by, {})
                assert columns.stats(query) == await queries.stats(conn, query)
            query = StatsQuery(TODAY)
            expected = count * capital - count * (count - 1) // 2
            assert expected > 2**53
            assert columns.stats(query)[0]["charter_capital"] == expected
            assert columns.summary_cells(query) == await queries.summary_cells(conn, query)
    finally:
        await engine.dispose()
