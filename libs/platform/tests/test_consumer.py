"""The shared projection consumer against a real nats-server with JetStream."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from typing import Any

import nats
import pytest
from nats.aio.client import Client
from nats.js.api import StreamConfig
from sqlalchemy.exc import OperationalError

from hoptac.platform.consumer import (
    DEAD_LETTER_STREAM,
    EventConsumer,
    Message,
    Poison,
    dead_letter_subject,
)
from hoptac.platform.testing import wait_until

pytestmark = pytest.mark.integration

STREAM = "TEST_EVENTS"
SUBJECTS = "test.events.>"


@pytest.fixture
async def nc(nats_url: str) -> AsyncIterator[Client]:
    client = await nats.connect(nats_url)
    await client.jetstream().add_stream(StreamConfig(name=STREAM, subjects=[SUBJECTS]))
    yield client
    await client.close()


async def publish(nc: Client, *values: object) -> None:
    js = nc.jetstream()
    for value in values:
        await js.publish("test.events.x", json.dumps(value).encode())


class Recorder:
    """A projection that remembers what it applied; `fail_on` values raise as the test wants."""

    def __init__(self) -> None:
        self.applied: list[object] = []
        self.batches: list[int] = []
        self.pending: list[int] = []  # each batch's last message: how many were still waiting
        self.fail_on: dict[object, Callable[[Message], Exception | None]] = {}

    async def handle(self, messages: list[Message]) -> None:
        values = []
        for message in messages:
            try:
                value = json.loads(message.data)
            except ValueError as error:
                raise Poison(f"not JSON: {error}") from error
            decide = self.fail_on.get(value)
            error = decide(message) if decide else None
            if error is not None:
                raise error
            values.append(value)
        self.applied.extend(values)  # all or nothing, like a transaction
        self.batches.append(len(values))
        self.pending.append(messages[-1].pending)


class Consumers:
    """Consumers running as tasks for one test; all stopped at its end."""

    def __init__(self, nc: Client) -> None:
        self.nc = nc
        self.tasks: dict[EventConsumer, asyncio.Task[None]] = {}

    async def start(self, recorder: Recorder, **options: Any) -> EventConsumer:
        consumer = EventConsumer(
            self.nc,
            durable="test",
            handle=recorder.handle,
            stream=STREAM,
            subjects=SUBJECTS,
            fetch_timeout=0.2,
            **options,
        )
        self.tasks[consumer] = asyncio.create_task(consumer.run())
        return consumer

    async def stop(self, consumer: EventConsumer) -> None:
        consumer.stop()
        await asyncio.wait_for(self.tasks.pop(consumer), 5)


@pytest.fixture
async def consumers(nc: Client) -> AsyncIterator[Consumers]:
    running = Consumers(nc)
    yield running
    for consumer in list(running.tasks):
        await running.stop(consumer)


async def dead_letters(nc: Client) -> list[tuple[bytes, dict[str, str]]]:
    js = nc.jetstream()
    subscription = await js.pull_subscribe(dead_letter_subject("test"), stream=DEAD_LETTER_STREAM)
    try:
        messages = await subscription.fetch(100, timeout=0.5)
    except TimeoutError:  # nats-py raises its own subclass, or asyncio's (= builtin) one
        return []
    finally:
        await subscription.unsubscribe()
    return [(m.data, dict(m.headers or {})) for m in messages]


async def test_messages_are_applied_in_stream_order_in_batches(
    nc: Client, consumers: Consumers
) -> None:
    await publish(nc, *range(500))
    recorder = Recorder()
    consumer = await consumers.start(recorder, batch_size=100)
    await wait_until(lambda: len(recorder.applied) == 500, 10, message="all applied")
    assert recorder.applied == list(range(500))
    assert max(recorder.batches) > 1
    assert await consumer.lag() == 0


async def test_each_message_says_how_many_are_still_waiting_behind_it(
    nc: Client, consumers: Consumers
) -> None:
    await publish(nc, *range(300))
    recorder = Recorder()
    await consumers.start(recorder, batch_size=100)
    await wait_until(lambda: len(recorder.applied) == 300, 10, message="all applied")
    waiting = 300
    for size, pending in zip(recorder.batches, recorder.pending, strict=True):
        waiting -= size
        assert pending == waiting


async def test_a_poison_message_is_dead_lettered_and_the_rest_applied(
    nc: Client, consumers: Consumers
) -> None:
    js = nc.jetstream()
    await publish(nc, 1)
    await js.publish("test.events.x", b"{not json")
    await publish(nc, 2, 3)
    recorder = Recorder()
    await consumers.start(recorder)
    await wait_until(lambda: recorder.applied == [1, 2, 3], 10, message="good ones applied")
    [(data, headers)] = await dead_letters(nc)
    assert data == b"{not json"
    assert headers["Hoptac-Original-Subject"] == "test.events.x"
    assert headers["Hoptac-Stream-Sequence"] == "2"
    assert headers["Hoptac-Error"].startswith("poison: not JSON")


async def test_a_message_failing_every_time_is_dead_lettered_after_max_tries(
    nc: Client, consumers: Consumers
) -> None:
    await publish(nc, 1, 2, 3)
    recorder = Recorder()
    recorder.fail_on[2] = lambda message: RuntimeError("always")
    await consumers.start(recorder, max_tries=3)
    await wait_until(lambda: recorder.applied == [1, 3], 10, message="the others applied")
    letters = await wait_for_dead_letters(nc, 1)
    [(data, headers)] = letters
    assert json.loads(data) == 2
    assert headers["Hoptac-Deliveries"] == "3"
    assert "always" in headers["Hoptac-Error"]


async def test_a_message_failing_for_a_while_is_retried_and_applied(
    nc: Client, consumers: Consumers
) -> None:
    await publish(nc, 1, 2)
    recorder = Recorder()
    recorder.fail_on[1] = lambda m: RuntimeError("database away") if m.deliveries < 2 else None
    await consumers.start(recorder, max_tries=5)
    await wait_until(lambda: sorted(recorder.applied) == [1, 2], 10, message="both applied")
    assert await dead_letters(nc) == []


async def test_a_restarted_consumer_resumes_after_its_last_acknowledgement(
    nc: Client, consumers: Consumers
) -> None:
    await publish(nc, 1, 2)
    first = Recorder()
    consumer = await consumers.start(first)
    await wait_until(lambda: first.applied == [1, 2], 10, message="first run applied")
    await consumers.stop(consumer)
    await publish(nc, 3)
    second = Recorder()
    await consumers.start(second)
    await wait_until(lambda: second.applied == [3], 10, message="only the new one")


async def test_lag_counts_what_is_not_acknowledged(nc: Client, consumers: Consumers) -> None:
    await publish(nc, 1, 2, 3)
    recorder = Recorder()
    consumer = await consumers.start(recorder)
    await wait_until(lambda: recorder.applied == [1, 2, 3], 10, message="applied")
    await consumers.stop(consumer)
    await publish(nc, 4, 5)
    assert await consumer.lag() == 2


async def wait_for_dead_letters(nc: Client, count: int) -> list[tuple[bytes, dict[str, str]]]:
    found: list[tuple[bytes, dict[str, str]]] = []

    async def enough() -> bool:
        found[:] = await dead_letters(nc)
        return len(found) >= count

    await wait_until(enough, 10, message=f"{count} dead letters")
    return found


async def test_the_projections_own_outage_is_waited_out_never_dead_lettered(
    nc: Client, consumers: Consumers
) -> None:
    await publish(nc, 1, 2)
    recorder = Recorder()
    database_away = OperationalError("SELECT 1", {}, ConnectionRefusedError("PostgreSQL down"))
    recorder.fail_on[1] = lambda m: database_away if m.deliveries <= 3 else None
    await consumers.start(recorder, max_tries=2)
    await wait_until(lambda: sorted(recorder.applied) == [1, 2], 15, message="both applied")
    assert await dead_letters(nc) == []


async def test_a_dead_letter_nats_does_not_take_leaves_the_consumer_running(
    nc: Client, consumers: Consumers, monkeypatch: pytest.MonkeyPatch
) -> None:
    recorder = Recorder()
    consumer = await consumers.start(recorder, ack_wait=1)
    publish_dead_letter = consumer.js.publish
    refusals: list[str] = []

    async def refusing_once(subject: str, *args: Any, **kwargs: Any) -> Any:
        if not refusals:
            refusals.append(subject)
            raise nats.errors.TimeoutError
        return await publish_dead_letter(subject, *args, **kwargs)

    monkeypatch.setattr(consumer.js, "publish", refusing_once)
    js = nc.jetstream()
    await js.publish("test.events.x", b"{not json")
    await publish(nc, 1)
    await wait_until(lambda: recorder.applied == [1], 15, message="the next one applied")
    assert refusals == [dead_letter_subject("test")]
    assert not consumers.tasks[consumer].done()
    await wait_for_dead_letters(nc, 1)  # delivered again after ack_wait, then set aside


async def test_a_durable_takes_the_settings_it_is_started_with(
    nc: Client, consumers: Consumers
) -> None:
    first = await consumers.start(Recorder(), ack_wait=30)
    await wait_until(lambda: _durable_exists(nc), 10, message="the durable made")
    await consumers.stop(first)
    await consumers.start(Recorder(), ack_wait=7)

    async def ack_wait() -> float | None:
        return (await nc.jetstream().consumer_info(STREAM, "test")).config.ack_wait

    await wait_until(lambda: _equals(ack_wait(), 7), 10, message="ack_wait 7 s")


async def _durable_exists(nc: Client) -> bool:
    try:
        await nc.jetstream().consumer_info(STREAM, "test")
    except nats.js.errors.NotFoundError:
        return False
    return True


async def _equals(value: Any, expected: object) -> bool:
    return bool(await value == expected)


async def test_a_batch_slower_than_ack_wait_is_not_delivered_again(
    nc: Client, consumers: Consumers
) -> None:
    seen: list[int] = []

    class Slow(Recorder):
        async def handle(self, messages: list[Message]) -> None:
            seen.extend(message.deliveries for message in messages)
            await asyncio.sleep(2.5)  # slow work, 2.5 times ack_wait
            await super().handle(messages)

    slow = Slow()
    await publish(nc, 1)
    await consumers.start(slow, ack_wait=1)
    await wait_until(lambda: slow.applied == [1], 15, message="applied")
    assert seen == [1]  # told "in progress" every half second: never redelivered
