"""The quality scores track the registry's change log as every projection does: an event
missing from the stream (dead-lettered) is a gap the change log fills while the service runs,
or after a restart when it could not before; a gap that cannot be filled is counted and looked
at again after a pause, not in a loop; and /readyz says when the consumer does not follow the
stream."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import nats
import orjson
import pytest
from nats.js.api import StreamConfig
from prometheus_client import CollectorRegistry
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from hoptac.collection.adapters.notifications import NotificationsClient
from hoptac.collection.adapters.registry import RegistryClient
from hoptac.collection.bootstrap import build_collection
from hoptac.collection.campaigns import Campaigns
from hoptac.collection.entrypoints.events import Background
from hoptac.collection.entrypoints.http.app import create_app
from hoptac.collection.scores import Scores
from hoptac.collection.settings import CollectionSettings
from hoptac.contracts.events import STREAM, SUBJECT_PREFIX
from hoptac.platform.changelog import read_changes
from hoptac.platform.identity import RegistryIdentity
from hoptac.platform.testing.change_log import ChangeLog, serving_change_log
from hoptac.platform.testing.waiting import wait_until
from hoptac.registry.adapters.outbox import assign_sequences

from .conftest import Tokens
from .test_quality_and_campaigns import register

pytestmark = pytest.mark.integration


@pytest.fixture
async def change_log() -> AsyncIterator[ChangeLog]:
    async with serving_change_log() as log:
        yield log


@pytest.fixture
async def engine(collection_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_async_engine(collection_url)
    yield engine
    await engine.dispose()


@pytest.fixture
def settings(
    collection_url: str, nats_url: str, change_log: ChangeLog, tmp_path: Path
) -> CollectionSettings:
    return CollectionSettings(
        database_url=collection_url,
        nats_url=nats_url,
        var_dir=tmp_path,
        registry_url=change_log.url,
        registry_token="t",
        consumer_max_tries=2,
    )


@pytest.fixture
async def three_events(
    registry: httpx.AsyncClient, registry_transport: httpx.ASGITransport, issued: Tokens
) -> list[dict[str, Any]]:
    """Three registrations, as the registry's change log holds them."""
    for n in (1, 2, 3):
        await register(registry, issued.admin, f"960100010{n}", f"HTX Nông nghiệp số {n}")
    async with registry_transport.app.state.registry.engine.begin() as conn:  # type: ignore[attr-defined]
        await assign_sequences(conn, 10_000)
    pages = read_changes("http://registry", issued.admin, client=registry)
    return [event async for page in pages for event in page]


def background(
    settings: CollectionSettings, engine: AsyncEngine, metrics: CollectorRegistry
) -> Background:
    """The service's background work on a Scores of its own, as in a new process."""

    def clock() -> datetime:
        return datetime.now(UTC)

    campaigns = Campaigns(engine, NotificationsClient("http://127.0.0.1:9"), clock)
    return Background(settings, Scores(engine, clock), campaigns, metrics)


async def contiguous_through(running: Background) -> int:
    return (await running.scores.read_tracking()).contiguous_through


async def records(engine: AsyncEngine) -> int:
    async with engine.connect() as conn:
        return int(await conn.scalar(text("SELECT count(*) FROM quality_records")) or 0)


def missing(metrics: CollectorRegistry) -> float | None:
    labels = {"projection": "collection"}
    return metrics.get_sample_value("hoptac_projection_missing_sequences", labels)


async def test_a_dead_lettered_event_is_filled_in_from_the_change_log_while_running(
    settings: CollectionSettings,
    engine: AsyncEngine,
    change_log: ChangeLog,
    three_events: list[dict[str, Any]],
    nats_url: str,
) -> None:
    first, second, third = three_events
    change_log.events = [first]
    nc = await nats.connect(nats_url)
    js = nc.jetstream()
    await js.add_stream(StreamConfig(name=STREAM, subjects=[f"{SUBJECT_PREFIX}.>"]))
    running = background(settings, engine, CollectorRegistry())
    await running.start()
    try:
        await wait_until(lambda: contiguous_through(running), 20, message="caught up at start")
        change_log.events = [first, second, third]
        for body in (b"{not an event}", orjson.dumps(third)):  # the second one set aside
            await js.publish(f"{SUBJECT_PREFIX}.registered.96", body)

        async def filled() -> bool:
            return await contiguous_through(running) == 3

        await wait_until(filled, 20, message="the gap filled from the change log")
        assert await records(engine) == 3
    finally:
        await running.stop()
        await nc.close()


async def test_a_gap_the_change_log_cannot_fill_is_counted_then_filled_after_a_restart(
    settings: CollectionSettings,
    engine: AsyncEngine,
    change_log: ChangeLog,
    three_events: list[dict[str, Any]],
) -> None:
    first, second, third = three_events
    # The registry's row for sequence 2 cannot be read by this release (a bug fixed later).
    change_log.events = [first, {**second, "event_type": "organization.unknown"}, third]
    metrics = CollectorRegistry()
    running = background(settings, engine, metrics)
    await running.start()
    try:
        await wait_until(lambda: missing(metrics) == 1, 20, message="the gap seen and counted")
        assert change_log.requests == 1  # one round, then a pause: not a tight loop
        assert await records(engine) == 2
        assert await contiguous_through(running) == 1  # every event up to 1, not the highest
    finally:
        await running.stop()
    change_log.events[1] = second  # fixed, or replayed
    restarted = background(settings, engine, CollectorRegistry())
    await restarted.start()
    try:

        async def filled() -> bool:
            return await contiguous_through(restarted) == 3

        await wait_until(filled, 20, message="the gap filled after the restart")
        assert await records(engine) == 3
    finally:
        await restarted.stop()


async def test_readiness_is_red_until_the_consumer_follows_the_stream(
    settings: CollectionSettings, registry_transport: httpx.ASGITransport, nats_url: str
) -> None:
    identity = RegistryIdentity("http://registry", cache_seconds=0, transport=registry_transport)
    service = build_collection(
        settings,
        identity=identity,
        registry=RegistryClient("http://registry", 500, transport=registry_transport),
    )
    app = create_app(settings, service, NotificationsClient("http://127.0.0.1:9"))

    async def ready() -> httpx.Response:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://collection") as http:
            return await http.get("/readyz")

    async def waiting_for_the_stream() -> bool:
        answer = await ready()
        return answer.status_code == 503 and STREAM in answer.text

    async with app.router.lifespan_context(app):
        await wait_until(waiting_for_the_stream, 30, message="red, saying why")
        nc = await nats.connect(nats_url)
        await nc.jetstream().add_stream(StreamConfig(name=STREAM, subjects=[f"{SUBJECT_PREFIX}.>"]))
        await nc.close()

        async def green() -> bool:
            return (await ready()).status_code == 200

        await wait_until(green, 30, message="ready once the consumer follows the stream")
