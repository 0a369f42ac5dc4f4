"""A quiet stream is waited on with one long pull request; a batch is gathered as before."""

from __future__ import annotations

from typing import Any, cast

import nats.errors
import pytest
from nats.js import JetStreamContext

from hoptac.platform.consumer.quiet_stream import wait_when_quiet

pytestmark = pytest.mark.unit

BATCH, WAIT, GATHER = 100, 1.0, 0.01


class FakeSubscription:
    """Answers each fetch from a list of prepared answers (a list of messages, or an error)
    and records how it was asked."""

    def __init__(self, *answers: list[str] | Exception) -> None:
        self.answers = list(answers)
        self.asked: list[tuple[int, float | None]] = []

    async def fetch(self, batch: int = 1, timeout: float | None = 5) -> list[str]:  # noqa: ASYNC109
        self.asked.append((batch, timeout))
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer


def _waiting(fake: FakeSubscription) -> Any:
    wait_when_quiet(cast(JetStreamContext.PullSubscription, fake), BATCH, WAIT, GATHER)
    return fake


async def test_a_round_waits_long_for_its_first_message_then_gathers_briefly() -> None:
    fake = _waiting(FakeSubscription(["a"], ["b", "c"]))
    assert await fake.fetch(batch=BATCH, timeout=GATHER) == ["a", "b", "c"]
    assert fake.asked == [(1, WAIT), (BATCH - 1, GATHER)]


async def test_a_quiet_stream_ends_the_round_after_the_long_wait() -> None:
    fake = _waiting(FakeSubscription(nats.errors.TimeoutError()))
    with pytest.raises(TimeoutError):
        await fake.fetch(batch=BATCH, timeout=GATHER)
    assert fake.asked == [(1, WAIT)]


async def test_a_lone_event_is_returned_when_nothing_follows_it() -> None:
    fake = _waiting(FakeSubscription(["a"], nats.errors.TimeoutError()))
    assert await fake.fetch(batch=BATCH, timeout=GATHER) == ["a"]


async def test_the_rest_of_a_round_is_fetched_as_asked() -> None:
    fake = _waiting(FakeSubscription(["x", "y"]))
    assert await fake.fetch(batch=BATCH - 40, timeout=0.004) == ["x", "y"]
    assert fake.asked == [(BATCH - 40, 0.004)]
