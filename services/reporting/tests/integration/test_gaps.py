"""An event missing from the stream (dead-lettered) is filled in from the registry's change log,
at start and whenever one is seen."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import nats
import pytest
from aiohttp import web
from nats.aio.client import Client
from nats.js.api import StorageType, StreamConfig

from hoptac.contracts.events import STREAM, SUBJECT_PREFIX
from hoptac.platform.embedded import free_port
from hoptac.platform.testing import wait_until
from hoptac.reporting.entrypoints.http.app import create_app
from hoptac.reporting.handlers import Reporting
from hoptac.reporting.settings import ReportingSettings

from .test_consumer import history, publish, totals

pytestmark = pytest.mark.integration


@pytest.fixture
async def stream(nats_url: str) -> AsyncIterator[Client]:
    client = await nats.connect(nats_url)
    await client.jetstream().add_stream(
        StreamConfig(name=STREAM, subjects=[f"{SUBJECT_PREFIX}.>"], storage=StorageType.FILE)
    )
    yield client
    await client.close()


@pytest.fixture
async def change_log() -> AsyncIterator[tuple[str, list[dict[str, Any]]]]:
    events: list[dict[str, Any]] = []

    async def changes(request: web.Request) -> web.Response:
        after = int(request.query["after"])
        page = [e for e in events if e["sequence"] > after]
        return web.json_response({"events": page, "next": page[-1]["sequence"] if page else after})

    port = free_port()
    app = web.Application()
    app.router.add_get("/v1/changes", changes)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    yield f"http://127.0.0.1:{port}", events
    await runner.cleanup()


async def test_a_dead_lettered_event_is_filled_in_from_the_change_log(
    stream: Client,
    nats_url: str,
    database_url: str,
    reporting: Reporting,
    change_log: tuple[str, list[dict[str, Any]]],
) -> None:
    registry_url, logged = change_log
    events = history().log
    settings = ReportingSettings(
        database_url=database_url,
        nats_url=nats_url,
        consume=True,
        registry_url=registry_url,
        registry_token="service-token",
    )
    app = create_app(settings, reporting)
    async with app.router.lifespan_context(app):
        await wait_until(lambda: reporting.tracking is not None, 20, message="tracking read")
        logged.extend(events)  # the registry's log holds every event …
        await publish(stream, events[:5])
        await stream.jetstream().publish(f"{SUBJECT_PREFIX}.updated.96", b"{not json")
        await publish(stream, events[6:])  # … the stream lost the sixth

        async def complete() -> bool:
            tracking = reporting.tracking
            return tracking is not None and tracking.contiguous_through == len(events)

        await wait_until(complete, 30, message="the gap filled from the change log")
    assert (await totals(reporting))["organizations"] == 19
