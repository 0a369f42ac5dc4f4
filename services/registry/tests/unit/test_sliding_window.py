"""The restricted-records quota's sliding window: what it allows, what it refuses and how long
it asks to wait, the same as the in-memory `limits` counter it replaced."""

from __future__ import annotations

import math
import random

import pytest
from limits import RateLimitItemPerHour
from limits.aio.storage import MemoryStorage, memory
from limits.aio.strategies import SlidingWindowCounterRateLimiter

from hoptac.registry.domain.sliding_window import Refusal, SlidingWindow, Spent

pytestmark = pytest.mark.unit

HOUR = SlidingWindow(limit=10, seconds=3600)
START = 1_800_000_000 // 3600 * 3600  # the start of a window


def test_spending_up_to_the_limit_in_one_window_is_allowed_and_no_more() -> None:
    assert HOUR.refusal(Spent(0, 6), START + 60, 4) is None
    assert HOUR.refusal(Spent(0, 6), START + 60, 5) == Refusal(remaining=4, wait_seconds=3540)


def test_the_previous_window_counts_for_the_part_of_it_still_inside_the_last_hour() -> None:
    assert HOUR.refusal(Spent(10, 0), START, 1) is not None
    assert HOUR.refusal(Spent(10, 0), START + 1800, 5) is None  # half of it counts
    assert HOUR.refusal(Spent(10, 0), START + 1800, 6) is not None


def test_more_than_the_limit_at_once_is_always_refused() -> None:
    assert HOUR.refusal(Spent(0, 0), START, 11) is not None


def test_the_wait_ends_when_the_next_unit_of_the_previous_window_leaves() -> None:
    refusal = HOUR.refusal(Spent(10, 0), START + 100, 2)
    assert refusal == Refusal(remaining=1, wait_seconds=(3600 - 100) % 360)


async def test_the_same_answers_as_the_limits_counter(monkeypatch: pytest.MonkeyPatch) -> None:
    clock = [START - 3600.0]
    monkeypatch.setattr(memory.time, "time", lambda: clock[0])
    item = RateLimitItemPerHour(HOUR.limit)
    storage = MemoryStorage()
    limiter = SlidingWindowCounterRateLimiter(storage)
    counts: dict[int, int] = {}
    refused = 0
    steps = random.Random(13)
    for _ in range(400):
        clock[0] += steps.uniform(0, 900)
        cost = steps.randint(1, 6)
        window = HOUR.window_of(clock[0])
        spent = Spent(counts.get(window - 1, 0), counts.get(window, 0))
        refusal = HOUR.refusal(spent, clock[0], cost)
        assert (refusal is None) == await limiter.hit(item, "restricted", "x", cost=cost)
        if refusal is None:
            counts[window] = spent.current + cost
        else:
            refused += 1
            stats = await limiter.get_window_stats(item, "restricted", "x")
            assert refusal.remaining == stats.remaining
            assert refusal.wait_seconds == max(1, math.ceil(stats.reset_time - clock[0]))
    await storage.reset()
    assert 50 < refused < 350  # both answers were compared often
