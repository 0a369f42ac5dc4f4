"""The policy library's index tracks the library's change log as the organisations' index
tracks the registry's: an event missing from the stream (dead-lettered) is a gap the change
log fills while the service runs, or after a restart when it could not before, and a gap that
cannot be filled is counted and looked at again after a pause, not in a loop."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import orjson
import pytest
from nats.aio.client import Client
from prometheus_client import CollectorRegistry

from hoptac.contracts.library import LIBRARY_SUBJECT_PREFIX
from hoptac.platform.testing import wait_until
from hoptac.platform.testing.change_log import ChangeLog
from hoptac.search.adapters.library_index import LibraryIndex
from hoptac.search.entrypoints.library_feed import LibraryFeed
from hoptac.search.settings import SearchSettings

from .test_library_documents import document_event, library_stream

pytestmark = pytest.mark.integration


@pytest.fixture
def library_settings(settings: SearchSettings, change_log: ChangeLog) -> SearchSettings:
    return settings.model_copy(update={"library_url": change_log.url})


@pytest.fixture
async def index(library_settings: SearchSettings) -> AsyncIterator[LibraryIndex]:
    index = LibraryIndex(library_settings.var_dir / "search-library")
    yield index
    await index.close()


def three_events() -> list[bytes]:
    return [
        document_event(f"{n}/2024/NĐ-CP", f"Nghị định số {n}", type="decree", sequence=n)
        for n in (1, 2, 3)
    ]


def missing(metrics: CollectorRegistry) -> float | None:
    labels = {"projection": "search-library"}
    return metrics.get_sample_value("hoptac_projection_missing_sequences", labels)


async def _equals(value: Any, expected: object) -> bool:
    return bool(await value == expected)


async def test_a_dead_lettered_document_event_is_filled_in_from_the_change_log_while_running(
    library_settings: SearchSettings, change_log: ChangeLog, index: LibraryIndex, nc: Client
) -> None:
    first, second, third = three_events()
    change_log.events = [orjson.loads(first)]
    await library_stream(nc)
    feed = LibraryFeed(library_settings, index, CollectorRegistry())
    await feed.start()
    try:
        await wait_until(lambda: index.contiguous_through(), 20, message="caught up at start")
        change_log.events = [orjson.loads(body) for body in (first, second, third)]
        js = nc.jetstream()
        for body in (b"{not an event}", third):  # the second one was set aside
            await js.publish(f"{LIBRARY_SUBJECT_PREFIX}.added", body)
        await wait_until(lambda: _equals(index.contiguous_through(), 3), 20, message="filled")
        assert await index.count() == 3  # the tracking entry is not a document
    finally:
        await feed.stop()


async def test_a_gap_the_library_change_log_cannot_fill_is_counted_then_filled_after_restart(
    library_settings: SearchSettings, change_log: ChangeLog, index: LibraryIndex
) -> None:
    first, second, third = three_events()
    # The library's entry for sequence 2 cannot be read by this release (a bug fixed later).
    broken = {**orjson.loads(second), "event_type": "document.unknown"}
    change_log.events = [orjson.loads(first), broken, orjson.loads(third)]
    settings = library_settings.model_copy(update={"consume": False})
    metrics = CollectorRegistry()
    feed = LibraryFeed(settings, index, metrics)
    await feed.start()
    try:
        await wait_until(lambda: missing(metrics) == 1, 20, message="the gap seen and counted")
        # One round (a page, then the empty page after it), then a pause: not a tight loop.
        assert change_log.requests == 2
        assert await index.count() == 2
        assert await index.contiguous_through() == 1  # every event up to 1, not the highest
    finally:
        await feed.stop()
    change_log.events[1] = orjson.loads(second)  # fixed, or replayed
    restarted = LibraryFeed(settings, index, CollectorRegistry())
    await restarted.start()
    try:
        await wait_until(lambda: _equals(index.contiguous_through(), 3), 20, message="filled")
        assert await index.count() == 3
    finally:
        await restarted.stop()
