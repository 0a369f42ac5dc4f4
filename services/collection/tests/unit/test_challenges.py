"""A challenge is due 10 working days (Monday to Friday) after the day it was opened, in
Vietnam, and late once resolved after that day or still open past it."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from hoptac.collection.domain.challenges import due_on, is_late

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("opened", "due"),
    [
        (datetime(2026, 12, 7, 3, tzinfo=UTC), date(2026, 12, 21)),  # a Monday
        (datetime(2026, 12, 11, 3, tzinfo=UTC), date(2026, 12, 25)),  # a Friday
        (datetime(2026, 12, 12, 3, tzinfo=UTC), date(2026, 12, 25)),  # a Saturday
        (datetime(2026, 12, 6, 18, tzinfo=UTC), date(2026, 12, 21)),  # Monday 01:00 in Vietnam
    ],
)
def test_a_challenge_is_due_ten_working_days_after_the_day_it_opened(
    opened: datetime, due: date
) -> None:
    assert due_on(opened) == due


def test_a_challenge_is_late_when_resolved_or_still_open_after_its_due_day() -> None:
    due = date(2026, 12, 21)

    assert not is_late(due, date(2026, 12, 21), date(2027, 1, 5))
    assert is_late(due, date(2026, 12, 22), date(2026, 12, 22))
    assert not is_late(due, None, date(2026, 12, 21))
    assert is_late(due, None, date(2026, 12, 22))
