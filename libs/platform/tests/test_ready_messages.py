"""A pull fetch takes the messages already received without a task each, and returns what
nats-py's own fetch returns: the same messages, in stream order, with the same bookkeeping."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import nats
import pytest
from nats.aio.client import Client
from nats.js import JetStreamContext
from nats.js.api import StreamConfig

from hoptac.platform.consumer.ready_messages import take_ready_messages_at_once

pytestmark = pytest.mark.integration

STREAM = "TEST_READY"
SUBJECT = "test.ready.x"


@pytest.fixture
async def nc(nats_url: str) -> AsyncIterator[Client]:
    client = await nats.connect(nats_url)
    await client.jetstream().add_stream(StreamConfig(name=STREAM, subjects=["test.ready.>"]))
    yield client
    await client.close()


async def _subscription(nc: Client, durable: str) -> tuple[JetStreamContext.PullSubscription, Any]:
    """A pull subscription, and the inbox's waits for a message that was not there yet."""
    subscription = await nc.jetstream().pull_subscribe(SUBJECT, durable=durable, stream=STREAM)
    waits: list[float | None] = []
    inbox = subscription._sub
    wait_for_next = inbox.next_msg

    async def counted(timeout: float | None = 1.0) -> Any:  # noqa: ASYNC109
        waits.append(timeout)
        return await wait_for_next(timeout)

    inbox.next_msg = counted  # type: ignore[method-assign]
    return subscription, waits


async def test_a_fetch_returns_the_same_messages_in_order(nc: Client) -> None:
    js = nc.jetstream()
    for number in range(300):
        await js.publish(SUBJECT, str(number).encode())
    plain, _ = await _subscription(nc, "plain")
    quick, waits = await _subscription(nc, "quick")
    take_ready_messages_at_once(quick)

    for batch in (1, 256, 100):
        expected = [msg.data for msg in await plain.fetch(batch, timeout=2)]
        got = await quick.fetch(batch, timeout=2)
        assert [msg.data for msg in got] == expected
        for msg in got:
            await msg.ack()
    assert [int(data) for data in expected] == list(range(257, 300))  # the last 43
    assert quick._sub.pending_msgs == 0
    assert quick._sub.pending_bytes == 0
    # Most messages were taken as they waited in the queue, not each through a wait.
    assert len(waits) < 300 / 4


async def test_an_empty_stream_still_times_out(nc: Client) -> None:
    quick, _ = await _subscription(nc, "empty")
    take_ready_messages_at_once(quick)
    with pytest.raises(nats.errors.TimeoutError):
        await quick.fetch(10, timeout=0.2)
