"""Supervision of the consumer against a real nats-server: a consumer that keeps failing says
why (readiness), is started again with backoff, and is counted."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from typing import Any

import nats
import nats.errors
import pytest
from nats.aio.client import Client
from nats.js.api import StreamConfig
from prometheus_client import CollectorRegistry

from hoptac.platform.consumer import (
    DEAD_LETTER_STREAM,
    ConsumerHost,
    Message,
    Poison,
    dead_letter_subject,
)
from hoptac.platform.consumer.running import CancellableBroker
from hoptac.platform.http import NotReady
from hoptac.platform.settings import ProjectionSettings
from hoptac.platform.testing import wait_until

pytestmark = pytest.mark.integration

STREAM = "SUPERVISED_EVENTS"
SUBJECTS = "supervised.events.>"


@pytest.fixture
async def nc(nats_url: str) -> AsyncIterator[Client]:
    client = await nats.connect(nats_url)
    await client.jetstream().add_stream(StreamConfig(name=STREAM, subjects=[SUBJECTS]))
    yield client
    await client.close()


class Projection:
    def __init__(self) -> None:
        self.applied: list[object] = []

    async def handle(self, messages: list[Message]) -> None:
        try:
            values = [json.loads(message.data) for message in messages]
        except ValueError as error:
            raise Poison(f"not JSON: {error}") from error
        self.applied.extend(values)


@pytest.fixture
async def host(nats_url: str, nc: Client) -> AsyncIterator[tuple[ConsumerHost, Projection]]:
    projection = Projection()
    settings = ProjectionSettings(port=0, nats_url=nats_url, consumer_ack_wait=1)
    running = ConsumerHost(
        settings,
        durable="supervised",
        handle=projection.handle,
        stream=STREAM,
        subjects=SUBJECTS,
        metrics=CollectorRegistry(),
        fetch_timeout=0.2,
    )
    async with running:
        yield running, projection


def ready(host: ConsumerHost) -> bool:
    return host.problem() is None


def sample(host: ConsumerHost, name: str) -> float:
    assert host.metrics is not None
    value = host.metrics.get_sample_value(name, {"consumer": "supervised"})
    return 0.0 if value is None else value


async def test_a_consumer_that_cannot_dead_letter_turns_readiness_red_restarts_and_recovers(
    nc: Client, host: tuple[ConsumerHost, Projection], monkeypatch: pytest.MonkeyPatch
) -> None:
    running, projection = host
    await wait_until(lambda: ready(running), 10, message="the consumer follows the stream")
    assert running.consumer is not None
    js = running.consumer.js
    publish_dead_letter = js.publish
    broken = True

    async def refusing(subject: str, *args: Any, **kwargs: Any) -> Any:
        if broken:
            raise nats.errors.TimeoutError
        return await publish_dead_letter(subject, *args, **kwargs)

    monkeypatch.setattr(js, "publish", refusing)
    await nc.jetstream().publish("supervised.events.x", b"{not json")

    await wait_until(lambda: not ready(running), 10, message="readiness red")
    with pytest.raises(NotReady, match="NATS did not take"):
        running.check_ready()
    await wait_until(
        lambda: sample(running, "hoptac_consumer_restarts_total") >= 1,
        30,
        message="restarted after failing again and again",
    )
    assert sample(running, "hoptac_consumer_ready") == 0

    broken = False
    await nc.jetstream().publish("supervised.events.x", json.dumps(1).encode())
    await wait_until(lambda: projection.applied == [1], 30, message="following again")
    await wait_until(lambda: ready(running), 30, message="readiness green again")
    letters = await nc.jetstream().stream_info(DEAD_LETTER_STREAM)
    assert letters.state.messages == 1
    last = await nc.jetstream().get_last_msg(DEAD_LETTER_STREAM, dead_letter_subject("supervised"))
    assert last.data == b"{not json"
    await wait_until(
        lambda: sample(running, "hoptac_consumer_ready") == 1, 10, message="the metric says so"
    )


async def test_a_consumer_waiting_for_its_stream_is_not_ready_and_says_why(
    nats_url: str,
) -> None:
    settings = ProjectionSettings(port=0, nats_url=nats_url)
    projection = Projection()
    running = ConsumerHost(
        settings,
        durable="early",
        handle=projection.handle,
        stream="NOT_YET_THERE",
        subjects="not.yet.>",
        metrics=None,
    )
    async with running:
        await wait_until(
            lambda: "waiting for stream NOT_YET_THERE" in (running.problem() or ""),
            10,
            message="the reason shown",
        )
    assert running.problem() == "The event consumer has stopped."


async def test_a_connection_given_up_while_nats_is_being_reached_is_closed() -> None:
    """A stop while the consumer's broker connects cancels the attempt; its socket must not
    stay open (FastStream's own broker loses the client it was connecting)."""
    accepted: list[asyncio.StreamReader] = []

    async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        accepted.append(reader)  # says nothing: the client waits for the server's INFO
        await reader.read()  # until the client closes
        writer.close()

    server = await asyncio.start_server(silent, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    broker = CancellableBroker(f"nats://127.0.0.1:{port}", connect_timeout=60)
    starting = asyncio.ensure_future(broker.start())
    try:
        await wait_until(lambda: accepted, 10, message="the connection made")
        starting.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await starting
        await wait_until(lambda: accepted[0].at_eof(), 10, message="the socket closed")
    finally:
        server.close()
        await server.wait_closed()
