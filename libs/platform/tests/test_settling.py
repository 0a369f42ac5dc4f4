"""The settler behind FastStream's batch subscriber, on FastStream's in-memory test broker: the
split, the retries, the dead letters and outages, without a server."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import nats.errors
import pytest
from faststream.nats import NatsBroker, TestNatsBroker
from faststream.nats.testing import build_message
from nats.aio.msg import Msg
from nats.js import JetStreamContext
from prometheus_client import CollectorRegistry
from sqlalchemy.exc import OperationalError

from hoptac.platform.consumer import Message, Poison, dead_letter_subject
from hoptac.platform.consumer.durable import durable_config
from hoptac.platform.consumer.metrics import ConsumerMetrics
from hoptac.platform.consumer.nats_fetch import restore_fetch_timeout_error
from hoptac.platform.consumer.running import subscribe
from hoptac.platform.consumer.settling import BatchSettler

pytestmark = pytest.mark.unit

SUBJECT = "unit.events.x"


class DeadLetters:
    def __init__(self) -> None:
        self.kept: list[tuple[str, bytes, dict[str, Any]]] = []

    async def publish(
        self, subject: str, payload: bytes, *, headers: dict[str, Any] | None = None
    ) -> None:
        self.kept.append((subject, payload, headers or {}))


class Projection:
    """Applies a batch all or none; raises what `fail` says for a value and a delivery."""

    def __init__(self) -> None:
        self.applied: list[object] = []
        self.fail: dict[object, Exception] = {}

    async def handle(self, messages: list[Message]) -> None:
        values = []
        for message in messages:
            try:
                value = json.loads(message.data)
            except ValueError as error:
                raise Poison(f"not JSON: {error}") from error
            if value in self.fail:
                raise self.fail[value]
            values.append(value)
        self.applied.extend(values)


class Harness:
    def __init__(self, broker: NatsBroker, settler: BatchSettler, registry: CollectorRegistry):
        self.broker = broker
        self.settler = settler
        self.registry = registry
        self.subscriber = broker.subscribers[0]

    async def deliver(self, *batch: tuple[bytes, int, int]) -> None:
        """One batch of (body, stream sequence, deliveries), through FastStream's processing."""
        await self.subscriber.process_message([await _msg(*message) for message in batch])

    def count(self, outcome: str) -> float:
        labels = {"consumer": "unit", "outcome": outcome}
        return self.registry.get_sample_value("hoptac_consumer_messages_total", labels) or 0.0


async def _msg(body: bytes, sequence: int, deliveries: int) -> Msg:
    # The reply subject JetStream gives a message carries its metadata.
    reply = f"$JS.ACK.UNIT.unit.{deliveries}.{sequence}.{sequence}.0.0"
    return await build_message(body, SUBJECT, reply_to=reply)


@pytest.fixture
def projection() -> Projection:
    return Projection()


@pytest.fixture
def dead_letters() -> DeadLetters:
    return DeadLetters()


@pytest.fixture
async def harness(projection: Projection, dead_letters: DeadLetters) -> AsyncIterator[Harness]:
    registry = CollectorRegistry()
    settler = BatchSettler(
        durable="unit",
        handle=projection.handle,
        dead_letters=dead_letters,
        max_tries=3,
        ack_wait=30,
        metrics=ConsumerMetrics(registry),
    )
    broker = NatsBroker()
    subscribe(
        broker,
        settler.settle,
        stream="UNIT",
        subjects="unit.events.>",
        config=durable_config("unit", "unit.events.>", 30),
        batch_size=10,
        gather_window=0.01,
    )
    async with TestNatsBroker(broker):
        yield Harness(broker, settler, registry)


def body(value: object) -> bytes:
    return json.dumps(value).encode()


async def test_a_good_batch_is_applied_whole(harness: Harness, projection: Projection) -> None:
    await harness.deliver((body(1), 1, 1), (body(2), 2, 1), (body(3), 3, 1))
    assert projection.applied == [1, 2, 3]
    assert harness.count("applied") == 3


async def test_a_batch_with_poison_is_split_and_only_the_poison_is_set_aside(
    harness: Harness, projection: Projection, dead_letters: DeadLetters
) -> None:
    await harness.deliver((body(1), 7, 1), (b"{not json", 8, 1), (body(3), 9, 1))
    assert projection.applied == [1, 3]
    [(subject, data, headers)] = dead_letters.kept
    assert subject == dead_letter_subject("unit")
    assert data == b"{not json"
    assert headers["Hoptac-Original-Subject"] == SUBJECT
    assert headers["Hoptac-Stream-Sequence"] == "8"
    assert headers["Hoptac-Error"].startswith("poison: not JSON")


async def test_a_failing_message_is_retried_until_its_last_try_then_set_aside(
    harness: Harness, projection: Projection, dead_letters: DeadLetters
) -> None:
    projection.fail[2] = RuntimeError("always")
    await harness.deliver((body(2), 2, 2))
    assert harness.count("retried") == 1
    assert dead_letters.kept == []
    await harness.deliver((body(2), 2, 3))
    [(_, _, headers)] = dead_letters.kept
    assert headers["Hoptac-Deliveries"] == "3"
    assert "failed 3 times" in headers["Hoptac-Error"]


async def test_deliveries_spent_waiting_for_an_outage_are_not_tries(
    harness: Harness, projection: Projection, dead_letters: DeadLetters
) -> None:
    database_away = OperationalError("SELECT 1", {}, ConnectionRefusedError("PostgreSQL down"))
    projection.fail[5] = database_away
    for delivery in range(1, 6):  # longer than the three tries
        await harness.deliver((body(5), 5, delivery))
    assert harness.count("waited") == 5
    assert harness.settler.problem is not None
    assert "dependency is unavailable" in str(harness.settler.problem)
    projection.fail[5] = RuntimeError("a real fault, once the database is back")
    await harness.deliver((body(5), 5, 6))  # its first real try
    assert dead_letters.kept == []
    assert harness.count("retried") == 1
    del projection.fail[5]
    await harness.deliver((body(5), 5, 7))
    assert projection.applied == [5]
    assert harness.settler.problem is None


async def test_a_dead_letter_nats_refuses_is_a_problem_until_a_batch_settles(
    harness: Harness, dead_letters: DeadLetters, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def refuse(*args: Any, **kwargs: Any) -> None:
        raise TimeoutError

    monkeypatch.setattr("hoptac.platform.consumer.settling.SETTLE_FAILURE_PAUSE", 0)
    monkeypatch.setattr(dead_letters, "publish", refuse)
    await harness.deliver((b"{not json", 1, 1))
    assert harness.settler.failures_in_a_row == 1
    assert harness.settler.problem is not None
    assert "NATS did not take" in str(harness.settler.problem)
    await harness.deliver((body(2), 2, 1))
    assert harness.settler.failures_in_a_row == 0
    assert harness.settler.problem is None


async def test_a_fetch_that_runs_out_of_time_raises_the_error_faststream_expects(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    async def out_of_time(self: object, *args: object, **kwargs: object) -> list[Msg]:
        raise TimeoutError  # what nats-py 2.16 raises when a fetch's deadline has passed

    monkeypatch.setattr(JetStreamContext.PullSubscription, "fetch", out_of_time)
    restore_fetch_timeout_error()
    with pytest.raises(nats.errors.TimeoutError):
        await JetStreamContext.PullSubscription.fetch(object())  # type: ignore[arg-type]
