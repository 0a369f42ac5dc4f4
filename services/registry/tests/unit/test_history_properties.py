"""Property: the record on any day is the last change effective by then, whatever the order in
which changes were entered."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hoptac.contracts.codes import EventName
from hoptac.registry.domain.history import Version, current_record, record_on
from hoptac.registry.domain.record import Change

pytestmark = pytest.mark.unit

REGISTERED = date(2010, 1, 1)
LAST_DAY = date(2026, 11, 22)

days = st.integers(0, (LAST_DAY - REGISTERED).days).map(lambda n: REGISTERED + timedelta(n))
changes = st.lists(st.tuples(days, st.integers(0, 500)), max_size=12)


def history(entered: list[tuple[date, int]]) -> list[Version]:
    registration = Version(
        1,
        EventName.REGISTERED,
        REGISTERED,
        (Change("registered_on", None, REGISTERED.isoformat()), Change("members_count", None, 7)),
    )
    return [registration] + [
        Version(n + 2, EventName.UPDATED, day, (Change("members_count", None, members),))
        for n, (day, members) in enumerate(entered)
    ]


def expected_on(entered: list[tuple[date, int]], day: date) -> int:
    effective = [(d, n, m) for n, (d, m) in enumerate(entered) if d <= day]
    return max(effective)[2] if effective else 7


@settings(max_examples=300, deadline=None)
@given(entered=changes, day=days)
def test_the_record_on_a_day_is_the_latest_change_effective_by_then(
    entered: list[tuple[date, int]], day: date
) -> None:
    record = record_on(history(entered), day)
    assert record is not None
    assert record["members_count"] == expected_on(entered, day)


@settings(max_examples=200, deadline=None)
@given(entered=changes)
def test_the_current_record_is_the_record_on_the_last_day(entered: list[tuple[date, int]]) -> None:
    versions = history(entered)
    assert current_record(versions) == record_on(versions, LAST_DAY)


@given(day=days)
def test_nothing_exists_before_registration(day: date) -> None:
    assert record_on(history([]), REGISTERED - timedelta(days=1)) is None
    assert record_on(history([]), day) is not None
