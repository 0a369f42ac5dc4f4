"""A kept answer is served only while the projection is unchanged: any event makes it miss."""

from __future__ import annotations

import re
from datetime import date

import httpx
import pytest

from hoptac.reporting.handlers import Reporting

from ..histories import FakeRegistry, base_record
from .conftest import load

pytestmark = pytest.mark.integration


async def computed(client: httpx.AsyncClient) -> float:
    """Statistics answers computed, from the database or the in-memory copy, not kept ones."""
    metrics = (await client.get("/metrics")).text
    found = re.findall(
        r'hoptac_reporting_answers_total\{report="stats",source="(?:database|memory)"\} (\S+)',
        metrics,
    )
    return sum(float(value) for value in found)


async def test_an_answer_is_kept_until_an_event_changes_the_projection(
    client: httpx.AsyncClient, reporting: Reporting
) -> None:
    registry = FakeRegistry()
    await load(reporting, [registry.register(base_record(1, date(2020, 1, 1)))])
    first = (await client.get("/v1/stats", params={"group_by": "status"})).json()
    again = (await client.get("/v1/stats", params={"group_by": "status"})).json()
    assert first == again
    metrics = (await client.get("/metrics")).text
    assert 'hoptac_reporting_answers_total{report="stats",source="cache"} 1.0' in metrics

    await load(reporting, [registry.register(base_record(2, date(2021, 1, 1)))])
    after = (await client.get("/v1/stats", params={"group_by": "status"})).json()
    assert after["totals"]["organizations"] == 2
    # A duplicate changes nothing, not even the generation: the kept answer still serves.
    await load(reporting, registry.log[:1])
    assert await computed(client) == 2
    assert (await client.get("/v1/stats", params={"group_by": "status"})).json() == after
    metrics = (await client.get("/metrics")).text
    assert 'hoptac_reporting_answers_total{report="stats",source="cache"} 2.0' in metrics
