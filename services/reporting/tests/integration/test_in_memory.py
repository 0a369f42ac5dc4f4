"""The in-memory copy of the timeline gives PostgreSQL's answers, row for row, in the same order,
and is used only while it is as new as the projection."""

from __future__ import annotations

import asyncio
import dataclasses
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from sqlalchemy.ext.asyncio import create_async_engine

from hoptac.reporting.adapters import projection, queries
from hoptac.reporting.adapters.columns import Columns
from hoptac.reporting.adapters.event_mapping import from_envelope
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
            days = [day for day in interesting_days(registry) if day <= TODAY]
            for index, day in enumerate(days):
                # Every grouping on a few days, every day with some grouping and filter.
                for number, group_by in enumerate(GROUPINGS):
                    if index % 7 and number != index % len(GROUPINGS):
                        continue
                    given = FILTERS[(index + number) % len(FILTERS)]
                    query = parse_query(day, group_by, given)
                    expected = await queries.stats(conn, query)
                    assert columns.stats(query) == expected, query
                    assert halves.stats(query) == expected, query
                query = parse_query(day, None, FILTERS[index % len(FILTERS)])
                cells = await queries.summary_cells(conn, query)
                assert columns.summary_cells(query) == cells, query
                assert halves.summary_cells(query) == cells, query
            for unit, start in (("year", date(2015, 1, 1)), ("month", date(2019, 3, 1))):
                for given in FILTERS[:3]:
                    query = parse_query(TODAY, None, given)
                    spans = periods(unit, start, TODAY)
                    expected = await queries.trends(conn, query, spans)
                    assert columns.trends(query, spans) == expected, (unit, given)
    finally:
        await engine.dispose()


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


async def test_the_copy_serves_only_while_it_is_as_new_as_the_projection(
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
        after = await reporting.stats(query)  # the copy is behind: from the database
        assert after["totals"]["organizations"] == 2
        assert (_answers(reporting, "memory"), _answers(reporting, "database")) == (1, 1)

        await reporting.load_columns()
        assert await reporting.stats(query) == after
        assert _answers(reporting, "memory") == 2
    finally:
        await reporting.close()


async def test_sums_beyond_float_precision_stay_exact(database_url: str) -> None:
    registry = FakeRegistry()
    capital = 2**53 - 7  # each alone is exact in float64; their sum is not
    engine = create_async_engine(database_url)
    try:
        reporting = Reporting(engine, lambda: TODAY)
        for number in range(3):
            record = base_record(number, date(2020, 1, 1), charter_capital=capital + number)
            await load(reporting, [registry.register(record)])
        async with engine.connect() as conn:
            columns = await Columns.load(conn)
            assert columns is not None
            for group_by in (None, "status", "province,commune"):
                query = parse_query(TODAY, group_by, {})
                assert columns.stats(query) == await queries.stats(conn, query)
            query = StatsQuery(TODAY)
            assert columns.stats(query)[0]["charter_capital"] == 3 * capital + 3
            assert columns.summary_cells(query) == await queries.summary_cells(conn, query)
    finally:
        await engine.dispose()
