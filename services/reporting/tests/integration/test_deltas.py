"""What the writer hands the in-memory copy after each batch is exactly what PostgreSQL then
holds: the generation the batch made and, for every organisation it touched, the timeline rows
a full load would read, field for field (built from the rows the batch inserted, not read back).
"""

from __future__ import annotations

import asyncio
from datetime import date
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.ext.asyncio import create_async_engine

from hoptac.reporting.adapters import projection
from hoptac.reporting.adapters.columns import snapshot
from hoptac.reporting.adapters.event_mapping import from_envelope
from hoptac.reporting.adapters.patches import Delta
from hoptac.reporting.handlers import Reporting

from ..histories import TODAY, FakeRegistry, base_record, histories

pytestmark = pytest.mark.integration


def _fields(records: np.ndarray[Any, Any]) -> list[tuple[Any, ...]]:
    """The records' values, sorted, without the binary-COPY framing (field counts, sizes)."""
    names = [n for n in records.dtype.names if n != "fields" and not n.endswith("_size")]
    return sorted(records[names].tolist())


def recording(reporting: Reporting) -> list[Delta]:
    """Every delta the writer hands over from now on, in order."""
    assert reporting.copy is not None
    recorded: list[Delta] = []
    add = reporting.copy.deltas.add
    reporting.copy.deltas.add = lambda delta: (recorded.append(delta), add(delta))  # type: ignore[method-assign]
    return recorded


@settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(registry=histories(max_organizations=5), data=st.data())
def test_each_batch_delta_equals_the_touched_timelines_postgresql_holds(
    database_url: str, registry: FakeRegistry, data: st.DataObject
) -> None:
    batches, rest = [], list(registry.log)
    while rest:
        size = data.draw(st.integers(1, len(rest)), label="batch size")
        again = data.draw(st.lists(st.sampled_from(registry.log), max_size=2))
        batches.append(data.draw(st.permutations(rest[:size] + again), label="batch order"))
        rest = rest[size:]
    asyncio.run(_check(database_url, batches))


async def _check(database_url: str, batches: list[list[dict[str, Any]]]) -> None:
    engine = create_async_engine(database_url)
    reporting = Reporting(engine, lambda: TODAY, in_memory=True, memory_refresh_seconds=3600)
    assert reporting.copy is not None
    recorded = recording(reporting)
    try:
        async with engine.begin() as conn:  # the database outlives hypothesis' examples
            await projection.clear(conn)
        async with engine.connect() as conn:
            first = await snapshot(conn)
        assert first is not None
        generation = first[0]
        for batch in batches:
            new = await reporting.apply([from_envelope(envelope) for envelope in batch])
            if not new:
                continue
            delta = recorded.pop()
            async with engine.connect() as conn:
                held = await snapshot(conn)
            assert held is not None
            generation += 1
            assert delta.generation == held[0] == generation
            touched = sorted({event.organization_id.bytes for event in new})
            assert np.array_equal(delta.organizations, np.array(touched, dtype="S16"))
            theirs = held[1][np.isin(held[1]["org"], delta.organizations)]
            assert _fields(delta.rows) == _fields(theirs)
        assert not recorded
    finally:
        await reporting.close()


async def test_nulls_are_handed_over_as_stored_and_codes_not_plain_digits_not_at_all(
    database_url: str,
) -> None:
    """A record without counts or commune is handed over as PostgreSQL holds it; one whose area
    code the copy cannot encode (digits, but not ASCII ones) is not handed over at all: the copy
    then answers only once reloaded, and PostgreSQL meanwhile."""
    registry = FakeRegistry()
    bare = base_record(1, date(2020, 1, 1), members_count=None, workers_count=None)
    bare.pop("charter_capital")
    bare["address"]["commune_code"] = None
    foreign = base_record(2, date(2020, 1, 1))
    foreign["address"]["commune_code"] = "٣١٨٢٥"  # Arabic-Indic digits
    engine = create_async_engine(database_url)
    reporting = Reporting(engine, lambda: TODAY, in_memory=True, memory_refresh_seconds=3600)
    recorded = recording(reporting)
    try:
        await reporting.apply([from_envelope(registry.register(bare))])
        [delta] = recorded
        async with engine.connect() as conn:
            held = await snapshot(conn)
        assert held is not None
        assert _fields(delta.rows) == _fields(held[1])
        assert delta.rows["members"].tolist() == [0]

        await reporting.apply([from_envelope(registry.register(foreign))])
        assert recorded == [delta]
        async with engine.connect() as conn:
            assert await snapshot(conn) is None
    finally:
        await reporting.close()
