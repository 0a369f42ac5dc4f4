"""After any sequence of events, duplicates, reorderings and restarts, the statistics on every
day equal a recount of the registry's history folded by the registry's own rules."""

from __future__ import annotations

import asyncio
import random
from collections import Counter
from datetime import date
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.ext.asyncio import create_async_engine

from hoptac.reporting.adapters import projection
from hoptac.reporting.adapters.event_mapping import from_envelope
from hoptac.reporting.domain.facts import facts_of
from hoptac.reporting.domain.stats import StatsQuery
from hoptac.reporting.handlers import Reporting

from ..histories import TODAY, FakeRegistry, histories, interesting_days, oracle_record_on

pytestmark = pytest.mark.integration


def recount(registry: FakeRegistry, day: date) -> Counter[tuple[str, str]]:
    counts: Counter[tuple[str, str]] = Counter()
    for org in registry.organizations.values():
        record = oracle_record_on(org, day)
        if record is not None:
            facts = facts_of(record, day)
            counts[(facts.status, facts.sector_group)] += 1
            counts[("members", "")] += facts.members or 0
    return counts


async def counted(reporting: Reporting, day: date) -> Counter[tuple[str, str]]:
    answer = await reporting.reader.stats(StatsQuery(day, ("status", "sector_group")))
    counts: Counter[tuple[str, str]] = Counter()
    for row in answer["rows"]:
        counts[(str(row["status"]), str(row["sector_group"]))] += int(row["organizations"])
    counts[("members", "")] += answer["totals"]["members"]
    return +counts


def deliveries(log: list[dict[str, Any]], rng: random.Random) -> list[list[dict[str, Any]]]:
    """The log with some events sent twice, shuffled, cut into batches of random sizes."""
    sent = log + [rng.choice(log) for _ in range(rng.randint(0, len(log)))]
    rng.shuffle(sent)
    batches = []
    while sent:
        size = rng.randint(1, 6)
        batches.append(sent[:size])
        sent = sent[size:]
    return batches


@settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(registry=histories(max_organizations=4), seed=st.integers(0, 2**32 - 1))
def test_statistics_equal_the_recount_after_duplicates_reorderings_and_restarts(
    database_url: str, registry: FakeRegistry, seed: int
) -> None:
    asyncio.run(_check(database_url, registry, seed))


async def _check(database_url: str, registry: FakeRegistry, seed: int) -> None:
    rng = random.Random(seed)
    engine = create_async_engine(database_url)
    try:
        async with engine.begin() as conn:
            await projection.clear(conn)
        for batch in deliveries(registry.log, rng):
            if rng.random() < 0.2:  # a restart: a new process, a new connection pool
                await engine.dispose()
                engine = create_async_engine(database_url)
            await Reporting(engine, lambda: TODAY).apply([from_envelope(e) for e in batch])
        reporting = Reporting(engine, lambda: TODAY)
        for day in interesting_days(registry):
            if day <= TODAY:
                assert await counted(reporting, day) == +recount(registry, day), day
        # Trends are a running sum over periods: each period's figure is the count on its end.
        trend = await reporting.reader.trends(StatsQuery(TODAY), "year", date(2017, 1, 1))
        for period in trend["periods"]:
            end = date.fromisoformat(period["to"])
            expected = recount(registry, end)
            organizations = sum(v for k, v in expected.items() if k[0] != "members")
            assert period["organizations"] == organizations, end
            assert period["members"] == expected[("members", "")], end
    finally:
        await engine.dispose()
