"""The service answers from the in-memory copy only while it is as new as the projection: as
loaded, or patched with what this process's writer applied; otherwise PostgreSQL answers.
(That the copy's answers are exact is the `StatsReader` contract suite, tests/contract/.)"""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy.ext.asyncio import create_async_engine

from hoptac.reporting.domain.stats import StatsQuery
from hoptac.reporting.handlers import Reporting

from ..histories import TODAY, FakeRegistry, base_record
from .conftest import load

pytestmark = pytest.mark.integration


def _answers(reporting: Reporting, source: str) -> float:
    return float(reporting.metrics.answers.labels("stats", source)._value.get())


async def load_copy(reporting: Reporting) -> None:
    assert reporting.copy is not None
    await reporting.copy.load()


async def test_the_copy_serves_while_deltas_cover_every_change_since_it_was_taken(
    database_url: str,
) -> None:
    engine = create_async_engine(database_url)
    # A long refresh interval: no background reload during the test, only explicit ones.
    reporting = Reporting(engine, lambda: TODAY, in_memory=True, memory_refresh_seconds=3600)
    try:
        registry = FakeRegistry()
        await load(reporting, [registry.register(base_record(1, date(2020, 1, 1)))])
        await load_copy(reporting)
        query = StatsQuery(TODAY, ("status",))
        first = await reporting.reader.stats(query)
        assert first["totals"]["organizations"] == 1
        assert _answers(reporting, "memory") == 1

        await load(reporting, [registry.register(base_record(2, date(2021, 1, 1)))])
        after = await reporting.reader.stats(
            query
        )  # the copy patched with what this process applied
        assert after["totals"]["organizations"] == 2
        assert (_answers(reporting, "memory"), _answers(reporting, "database")) == (2, 0)

        # A change this process did not make (another process's rebuild): no delta covers it.
        await load(Reporting(engine, lambda: TODAY), [registry.register(base_record(3, TODAY))])
        third = await reporting.reader.stats(query)
        assert third["totals"]["organizations"] == 3
        assert (_answers(reporting, "memory"), _answers(reporting, "database")) == (2, 1)

        await load_copy(reporting)
        assert await reporting.reader.stats(query) == third
        assert _answers(reporting, "memory") == 3
    finally:
        await reporting.close()
