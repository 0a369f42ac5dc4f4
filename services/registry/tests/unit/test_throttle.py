"""Failed sign-ins: free at first, then growing delays, then a lock; old failures forgotten."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from hoptac.registry.domain.throttle import NO_WAIT, ThrottlePolicy

pytestmark = pytest.mark.unit

POLICY = ThrottlePolicy(
    free_failures=5,
    first_delay=timedelta(seconds=5),
    max_delay=timedelta(seconds=60),
    lock_after=10,
    lock_for=timedelta(minutes=15),
    forget_after=timedelta(hours=1),
)
NOW = datetime(2026, 12, 5, 8, 0, tzinfo=UTC)


def test_the_first_failures_cost_nothing() -> None:
    assert POLICY.wait(4, NOW, NOW) == NO_WAIT


def test_the_fifth_failure_brings_a_delay_that_doubles_with_each_further_one() -> None:
    assert [POLICY.hold(n).seconds for n in range(5, 10)] == [5, 10, 20, 40, 60]


def test_the_delay_counts_from_the_last_failure() -> None:
    assert POLICY.wait(5, NOW, NOW + timedelta(seconds=2)) == timedelta(seconds=3)
    assert POLICY.wait(5, NOW, NOW + timedelta(seconds=6)) == NO_WAIT


def test_enough_failures_lock_the_key_for_a_while() -> None:
    assert POLICY.wait(10, NOW, NOW + timedelta(minutes=1)) == timedelta(minutes=14)


def test_failures_older_than_forget_after_count_no_more() -> None:
    assert POLICY.counted(9, NOW, NOW + timedelta(hours=1)) == 0
    assert POLICY.wait(12, NOW, NOW + timedelta(hours=2)) == NO_WAIT


def test_an_address_may_fail_more_often_than_an_account() -> None:
    shared = POLICY.scaled(4)
    assert shared.hold(19) == NO_WAIT
    assert shared.hold(20) == timedelta(seconds=5)


def test_a_policy_that_would_forget_a_lock_before_it_ends_is_refused() -> None:
    with pytest.raises(ValueError, match="forget_after"):
        ThrottlePolicy(lock_for=timedelta(hours=2), forget_after=timedelta(hours=1))
