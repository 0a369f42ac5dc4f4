"""The retry schedule and what each answer means."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hoptac.notifications.domain.retry import Outcome, RetryPolicy, decide, parse_retry_after

pytestmark = pytest.mark.unit
NOW = datetime(2026, 11, 22, 3, 0, tzinfo=UTC)


def test_the_default_schedule_spans_more_than_three_days_even_with_the_least_jitter() -> None:
    assert RetryPolicy().shortest_span() > timedelta(days=3).total_seconds()


@settings(max_examples=50)
@given(failures=st.integers(min_value=1, max_value=500), seed=st.integers())
def test_delays_grow_then_stay_capped_within_the_jitter(failures: int, seed: int) -> None:
    policy = RetryPolicy()
    delay = policy.delay(failures, random.Random(seed))
    base = policy.base_delay(failures)
    assert base <= policy.max_delay
    assert base * 0.8 <= delay <= base * 1.2
    assert policy.base_delay(failures + 1) >= base


def test_success_gone_and_last_attempt() -> None:
    policy = RetryPolicy(attempts=3)
    rng = random.Random(1)
    assert decide(policy, 200, 1, NOW, rng).outcome is Outcome.DELIVERED
    assert decide(policy, 299, 1, NOW, rng).outcome is Outcome.DELIVERED
    assert decide(policy, 410, 1, NOW, rng).outcome is Outcome.GONE
    assert decide(policy, 500, 2, NOW, rng).outcome is Outcome.RETRY
    assert decide(policy, None, 2, NOW, rng).outcome is Outcome.RETRY
    assert decide(policy, 500, 3, NOW, rng).outcome is Outcome.FAILED
    assert decide(policy, 301, 1, NOW, rng).outcome is Outcome.RETRY  # redirects are not followed


def test_retry_after_on_429_is_honoured_up_to_the_cap() -> None:
    policy = RetryPolicy(first_delay=1, retry_after_max=3600)
    rng = random.Random(1)
    later = decide(policy, 429, 1, NOW, rng, retry_after=600)
    assert later.next_attempt_at is not None
    assert later.next_attempt_at - NOW >= timedelta(seconds=600)
    capped = decide(policy, 429, 1, NOW, rng, retry_after=10**9)
    assert capped.next_attempt_at is not None
    assert capped.next_attempt_at - NOW <= timedelta(seconds=3600 * 1.01)


def test_retry_after_is_read_as_seconds_or_a_date() -> None:
    assert parse_retry_after("120", NOW) == 120
    assert parse_retry_after("Sun, 22 Nov 2026 03:02:00 GMT", NOW) == 120
    assert parse_retry_after("soon", NOW) is None
    assert parse_retry_after(None, NOW) is None


def test_the_shipped_settings_keep_trying_for_more_than_three_days() -> None:
    from hoptac.notifications.bootstrap import retry_policy
    from hoptac.notifications.settings import NotificationsSettings

    policy = retry_policy(NotificationsSettings())
    assert policy.shortest_span() > timedelta(days=3).total_seconds()
