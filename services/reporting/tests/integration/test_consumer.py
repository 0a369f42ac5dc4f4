"""The durable consumer on real NATS JetStream: in order or not, twice or once, across restarts,
with poison set aside in the dead-letter stream."""

from __future__ import annotations

import asyncio
import copy
import random
from collections.abc import AsyncIterator
from datetime import date
from typing import Any
from uuid import UUID

import httpx
import nats
import nats.js.errors
import pytest
from nats.aio.client import Client
from nats.js.api import StorageType, StreamConfig
from prometheus_client import CollectorRegistry

from hoptac.contracts.events import STREAM, SUBJECT_PREFIX
from hoptac.platform.consumer import DEAD_LETTER_PREFIX, DEAD_LETTER_STREAM
from hoptac.platform.embedded.postgres import EmbeddedPostgres
from hoptac.platform.testing import wait_until
from hoptac.reporting.domain.stats import StatsQuery
from hoptac.reporting.entrypoints.consumer import build_consumer
from hoptac.reporting.entrypoints.http.app import create_app
from hoptac.reporting.handlers import Reporting
from hoptac.reporting.settings import ReportingSettings

from ..histories import TODAY, FakeRegistry, as_bytes, base_record

pytestmark = pytest.mark.integration


@pytest.fixture
async def nc(nats_url: str) -> AsyncIterator[Client]:
    client = await nats.connect(nats_url)
    await client.jetstream().add_stream(
        StreamConfig(name=STREAM, subjects=[f"{SUBJECT_PREFIX}.>"], storage=StorageType.FILE)
    )
    yield client
    await client.close()


async def publish(nc: Client, envelopes: list[dict[str, Any]]) -> None:
    js = nc.jetstream()
    for envelope in envelopes:
        event = envelope["event_type"].removeprefix("organization.")
        province = envelope["data"]["record"]["address"]["province_code"]
        await js.publish(f"{SUBJECT_PREFIX}.{event}.{province}", as_bytes(envelope))


def history() -> FakeRegistry:
    registry = FakeRegistry()
    for number in range(20):
        registry.register(base_record(number, date(2020, 1, 1 + number), members_count=number))
    first = UUID(registry.log[0]["organization_id"])
    registry.change_status(first, date(2022, 1, 1), "suspended")
    registry.update(first, date(2021, 6, 1), {"members_count": 100})
    registry.remove(UUID(registry.log[1]["organization_id"]))
    return registry


async def totals(reporting: Reporting) -> dict[str, int]:
    answer = await reporting.reader.stats(StatsQuery(TODAY))
    return dict(answer["totals"])


async def test_events_out_of_order_and_twice_are_counted_once_and_poison_is_set_aside(
    nc: Client, reporting: Reporting, settings: ReportingSettings
) -> None:
    registry = history()
    shuffled = registry.log + registry.log[:5]
    random.Random(7).shuffle(shuffled)
    await publish(nc, shuffled[:15])
    await nc.jetstream().publish(f"{SUBJECT_PREFIX}.updated.96", b"{not json")
    consumer = build_consumer(nc, reporting, settings, None)
    task = asyncio.create_task(consumer.run())
    try:
        await wait_until(lambda: _lag_is(consumer, 0), timeout=20, message="first part consumed")
    finally:
        consumer.stop()
        await task
    # A restart: a new consumer on the same durable takes up where the first one stopped.
    await publish(nc, shuffled[15:])
    consumer = build_consumer(nc, reporting, settings, None)
    task = asyncio.create_task(consumer.run())
    try:
        await wait_until(lambda: _lag_is(consumer, 0), timeout=20, message="all consumed")
    finally:
        consumer.stop()
        await task
    # 19 organisations (one removed); members 0..19 without the removed one's 1, first one 100.
    assert await totals(reporting) == {
        "organizations": 19,
        "members": sum(range(20)) - 1 - 0 + 100,
        "workers": 19 * 5,
        "charter_capital": 19 * 100_000_000,
    }
    dead = await nc.jetstream().stream_info(DEAD_LETTER_STREAM)
    assert dead.state.messages == 1


async def _lag_is(consumer: Any, expected: int) -> bool:
    try:
        return bool(await consumer.lag() == expected)
    except Exception:  # the durable is being created
        return False


async def test_the_app_runs_the_consumer_and_reports_its_lag(
    nc: Client, nats_url: str, database_url: str, reporting: Reporting
) -> None:
    await publish(nc, history().log)
    settings = ReportingSettings(database_url=database_url, nats_url=nats_url, consume=True)
    app = create_app(settings, reporting)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://reporting") as client:

            async def counted() -> bool:
                body = (await client.get("/v1/stats")).json()
                return bool(body["totals"]["organizations"] == 19)

            await wait_until(counted, timeout=20, message="the app's consumer counted the events")
            assert (await client.get("/readyz")).status_code == 200
            metrics = (await client.get("/metrics")).text
            assert 'hoptac_consumer_lag{consumer="reporting"} 0.0' in metrics
            assert "hoptac_reporting_commit_to_counted_seconds_count" in metrics


async def test_an_event_claiming_a_sequence_already_applied_is_dead_lettered_as_a_conflict(
    nc: Client, reporting: Reporting, settings: ReportingSettings
) -> None:
    registry = history()
    real = registry.log[:3]
    forged = copy.deepcopy(registry.log[3])
    forged["sequence"] = real[1]["sequence"]  # a place the real event holds
    twice = copy.deepcopy(real[2])  # a redelivery: same event, same place
    await publish(nc, [*real, forged, twice])
    consumer = build_consumer(nc, reporting, settings, None)
    task = asyncio.create_task(consumer.run())
    try:
        await wait_until(lambda: _lag_is(consumer, 0), timeout=20, message="all consumed")
    finally:
        consumer.stop()
        await task
    assert (await totals(reporting))["organizations"] == 3
    dead = await nc.jetstream().get_last_msg(DEAD_LETTER_STREAM, f"{DEAD_LETTER_PREFIX}.>")
    assert dead.headers is not None
    assert "conflicts with what was applied" in dead.headers["Hoptac-Error"]
    assert (await nc.jetstream().stream_info(DEAD_LETTER_STREAM)).state.messages == 1


def waited(metrics: CollectorRegistry) -> float:
    labels = {"consumer": "reporting", "outcome": "waited"}
    return metrics.get_sample_value("hoptac_consumer_messages_total", labels) or 0.0


async def dead_lettered(nc: Client) -> int:
    try:
        return (await nc.jetstream().stream_info(DEAD_LETTER_STREAM)).state.messages
    except nats.js.errors.NotFoundError:
        return 0


async def test_postgresql_down_longer_than_the_retry_budget_dead_letters_nothing(
    nc: Client, reporting: Reporting, settings: ReportingSettings, pg_server: EmbeddedPostgres
) -> None:
    settings = settings.model_copy(update={"consumer_max_tries": 2})
    events = history().log
    metrics = CollectorRegistry()
    consumer = build_consumer(nc, reporting, settings, metrics)
    await publish(nc, events)
    pg_server.kill()
    task = asyncio.create_task(consumer.run())
    try:
        try:
            # Every event delivered more often than its two tries would allow, all waiting.
            await wait_until(
                lambda: waited(metrics) >= 3 * len(events), 60, message="events waiting"
            )
            assert "dependency is unavailable" in (consumer.problem or "")
        finally:
            pg_server.start()
        await wait_until(lambda: _counted(reporting), 60, message="all counted once back")
        await wait_until(lambda: consumer.problem is None, 10, message="following again")
    finally:
        consumer.stop()
        await task
    assert await dead_lettered(nc) == 0


async def _counted(reporting: Reporting) -> bool:
    try:
        return (await totals(reporting))["organizations"] == 19
    except Exception:  # the pool still holds connections to the killed server
        return False
