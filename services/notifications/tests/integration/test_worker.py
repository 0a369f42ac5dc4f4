"""The worker process's parts on real NATS JetStream: consuming, dead-lettering, backfilling
holes from the registry's change log, and a restart that loses nothing."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

import httpx
import nats
import pytest
import uvicorn
from fastapi import FastAPI, Header
from nats.js.api import StreamConfig
from sqlalchemy import text

from hoptac.notifications.entrypoints.worker import run_worker
from hoptac.platform.consumer import DEAD_LETTER_STREAM
from hoptac.platform.embedded.ports import free_port
from hoptac.platform.testing import wait_until

pytestmark = pytest.mark.integration


class FakeRegistry:
    """The registry's change log, served over real HTTP."""

    def __init__(self) -> None:
        self.events: list[dict[str, Any]] = []
        self.port = free_port()
        app = FastAPI()

        @app.get("/v1/changes")
        async def changes(
            after: int = 0, limit: int = 100, authorization: str | None = Header(None)
        ) -> dict[str, Any]:
            assert authorization == "Bearer service-token"
            page = [e for e in self.events if e["sequence"] > after][:limit]
            return {"events": page, "next": page[-1]["sequence"] if page else after}

        self.server = uvicorn.Server(
            uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning")
        )
        self.server.capture_signals = contextlib.nullcontext  # type: ignore[method-assign]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@pytest.fixture
async def registry() -> AsyncIterator[FakeRegistry]:
    fake = FakeRegistry()
    task = asyncio.create_task(fake.server.serve())
    await wait_until(lambda: fake.server.started, message="fake registry serving")
    yield fake
    fake.server.should_exit = True
    await asyncio.wait_for(task, 10)


@pytest.fixture
async def js(nats_url: str) -> AsyncIterator[Any]:
    nc = await nats.connect(nats_url)
    jetstream = nc.jetstream()
    await jetstream.add_stream(StreamConfig(name="COOP_ORG_V1", subjects=["coop.v1.org.>"]))
    yield jetstream
    await nc.close()


async def send(js: Any, event: dict[str, Any], encode: Any) -> None:
    name = event["event_type"].split(".", 1)[1]
    province = event["data"]["record"]["address"]["province_code"]
    await js.publish(
        f"coop.v1.org.{name}.{province}", encode(event), headers={"Nats-Msg-Id": event["event_id"]}
    )


@contextlib.asynccontextmanager
async def worker(settings: Any) -> AsyncIterator[None]:
    stop = asyncio.Event()
    task = asyncio.create_task(run_worker(settings, stop))
    try:
        yield
    finally:
        stop.set()
        await asyncio.wait_for(task, 30)


@pytest.fixture
def worker_settings(settings: Any, nats_url: str, registry: FakeRegistry) -> Any:
    return settings.model_copy(
        update={
            "nats_url": nats_url,
            "registry_url": registry.url,
            "registry_token": "service-token",
            "worker_metrics_port": 0,
        }
    )


def stored_through(engine: Any, wanted: int) -> Any:
    async def check() -> bool:
        async with engine.connect() as conn:
            through = await conn.scalar(text("SELECT contiguous_through FROM feed_state"))
        return through == wanted

    return check


async def test_events_from_the_stream_are_stored_and_a_bad_one_is_dead_lettered(
    js, worker_settings, engine, new_event, encode
):
    async with worker(worker_settings):
        await send(js, new_event(1), encode)
        await js.publish("coop.v1.org.registered.96", b'{"not": "an event"}')
        await send(js, new_event(2), encode)
        await wait_until(stored_through(engine, 2), message="two events stored")

        async def dead_lettered() -> int:
            return (await js.stream_info(DEAD_LETTER_STREAM)).state.messages

        await wait_until(dead_lettered, message="the bad message dead-lettered")


async def test_a_hole_in_the_stream_is_filled_from_the_change_log(
    js, worker_settings, engine, registry, new_event, encode
):
    events = [new_event(s) for s in range(1, 7)]
    registry.events = events
    async with worker(worker_settings):
        for event in (events[0], events[1], events[4], events[5]):
            await send(js, event, encode)
        await wait_until(stored_through(engine, 6), message="hole filled")


async def test_nothing_is_lost_across_a_restart(
    js, worker_settings, engine, registry, receivers, subscribe, new_event, encode
):
    receiver = await receivers()
    await subscribe(receiver.url)
    events = [new_event(s) for s in range(1, 21)]
    registry.events = events[:10]  # the registry's log holds what it has committed
    async with worker(worker_settings):
        for event in events[:10]:
            await send(js, event, encode)
        await wait_until(lambda: len(set(receiver.ids())) == 10, message="first ten delivered")
    # Down: events keep coming and the receiver is briefly away too.
    await receiver.stop()
    registry.events = events
    for event in events[10:]:
        await send(js, event, encode)
    await receiver.start()
    async with worker(worker_settings):
        await wait_until(lambda: len(set(receiver.ids())) == 20, message="all twenty delivered")
    assert sorted(set(receiver.ids())) == sorted(e["event_id"] for e in events)


async def test_the_workers_readiness_says_why_its_consumer_does_not_follow_the_stream(
    nats_url, worker_settings
):
    port = free_port()
    settings = worker_settings.model_copy(update={"worker_metrics_port": port})
    async with worker(settings), httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as http:

        async def answer() -> httpx.Response | None:
            try:
                return await http.get("/readyz")
            except httpx.TransportError:  # not serving yet
                return None

        async def waiting_for_the_stream() -> bool:
            response = await answer()
            return response is not None and "waiting for stream COOP_ORG_V1" in response.text

        await wait_until(waiting_for_the_stream, message="red, with the reason")
        nc = await nats.connect(nats_url)
        try:
            await nc.jetstream().add_stream(
                StreamConfig(name="COOP_ORG_V1", subjects=["coop.v1.org.>"])
            )

            async def ready() -> bool:
                response = await answer()
                return response is not None and response.status_code == 200

            await wait_until(ready, timeout=15, message="ready once the stream exists")
            metrics = (await http.get("/metrics")).text
            assert 'hoptac_consumer_ready{consumer="notifications"} 1.0' in metrics
        finally:
            await nc.close()
