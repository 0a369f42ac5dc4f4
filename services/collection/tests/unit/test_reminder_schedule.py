"""When a campaign's staff are reminded by the schedule, what a reminder says is left, and the
months the quality reports are stored by."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hoptac.collection.domain.campaigns import CommuneProgress
from hoptac.collection.domain.months import month_before, parse_month, stored_month
from hoptac.collection.domain.reminders import ReminderSchedule, Slot, left, standings
from hoptac.contracts.vietnam_time import VIETNAM
from hoptac.platform.text import TextError

pytestmark = pytest.mark.unit

SCHEDULE = ReminderSchedule(days_before=(30, 14, 7, 3, 1), weeks_after=4, hour=8)
DEADLINE = date(2026, 12, 15)  # Circular 09/2024
OPENED = date(2026, 10, 1)


def at(day: str, hour: int = 9) -> datetime:
    return datetime.fromisoformat(day).replace(hour=hour, tzinfo=VIETNAM)


def test_the_days_of_the_schedule_are_before_the_deadline_then_weekly_after_it() -> None:
    days = [(slot.day.isoformat(), slot.kind) for slot in SCHEDULE.slots(DEADLINE)]

    assert days == [
        ("2026-11-15", "before_deadline"),
        ("2026-12-01", "before_deadline"),
        ("2026-12-08", "before_deadline"),
        ("2026-12-12", "before_deadline"),
        ("2026-12-14", "before_deadline"),
        ("2026-12-22", "after_deadline"),
        ("2026-12-29", "after_deadline"),
        ("2027-01-05", "after_deadline"),
        ("2027-01-12", "after_deadline"),
    ]


def test_a_day_of_the_schedule_is_due_from_its_hour_in_viet_nam() -> None:
    assert SCHEDULE.due(DEADLINE, OPENED, at("2026-12-08", hour=7)) is None
    assert SCHEDULE.due(DEADLINE, OPENED, at("2026-12-08", hour=8)) == Slot(
        date(2026, 12, 8), "before_deadline"
    )


def test_a_missed_day_is_made_up_later_but_only_the_latest_one() -> None:
    assert SCHEDULE.due(DEADLINE, OPENED, at("2026-12-10")) == Slot(
        date(2026, 12, 8), "before_deadline"
    )
    # 1 December's was missed too: the 8th replaces it, never both at once.
    assert SCHEDULE.due(DEADLINE, OPENED, at("2026-12-11", hour=0)) == Slot(
        date(2026, 12, 8), "before_deadline"
    )


def test_a_day_before_the_deadline_is_not_made_up_after_it() -> None:
    assert SCHEDULE.due(DEADLINE, OPENED, at("2026-12-15")) == Slot(
        date(2026, 12, 14), "before_deadline"
    )
    assert SCHEDULE.due(DEADLINE, OPENED, at("2026-12-16")) is None
    assert SCHEDULE.due(DEADLINE, OPENED, at("2026-12-23")) == Slot(
        date(2026, 12, 22), "after_deadline"
    )


def test_no_reminder_before_the_first_day_after_the_last_or_for_a_day_before_opening() -> None:
    assert SCHEDULE.due(DEADLINE, OPENED, at("2026-11-14")) is None
    assert SCHEDULE.due(DEADLINE, OPENED, at("2027-01-12")) == Slot(
        date(2027, 1, 12), "after_deadline"
    )
    assert SCHEDULE.due(DEADLINE, OPENED, at("2027-01-18")) == Slot(
        date(2027, 1, 12), "after_deadline"
    )
    assert SCHEDULE.due(DEADLINE, OPENED, at("2027-01-19")) is None
    assert SCHEDULE.first_deadline(date(2027, 1, 19)) == DEADLINE
    assert SCHEDULE.due(DEADLINE, date(2026, 12, 10), at("2026-12-10")) is None
    assert SCHEDULE.due(DEADLINE, date(2026, 12, 10), at("2026-12-12")) == Slot(
        date(2026, 12, 12), "before_deadline"
    )


@given(st.integers(min_value=0, max_value=400), st.integers(min_value=0, max_value=23))
def test_what_is_due_is_a_day_of_the_schedule_not_after_today(days: int, hour: int) -> None:
    now = at("2026-10-01", hour) + timedelta(days=days)
    slot = SCHEDULE.due(DEADLINE, OPENED, now)
    if slot is not None:
        assert slot in SCHEDULE.slots(DEADLINE)
        assert OPENED <= slot.day <= now.date()
        assert slot.kind == "after_deadline" or now.date() <= DEADLINE


def test_what_is_left_is_what_was_not_updated_then_what_is_still_lapsed() -> None:
    rows = [CommuneProgress("31825", 4, 1, 2), CommuneProgress("31834", 2, 2, 0)]

    assert left(standings(rows, closed=False)) == 3
    assert left(standings(rows, closed=True)) == 2  # one updated since the deadline
    assert standings(rows, closed=True)[0].as_json() == {
        "commune_code": "31825",
        "in_scope": 4,
        "updated": 2,
    }


def test_a_month_is_written_year_dash_month() -> None:
    assert parse_month("2026-11") == date(2026, 11, 1)
    for wrong in ("2026-13", "2026-1", "11/2026", "2026-11-01", "1999-12", "x" * 500):
        with pytest.raises(TextError):
            parse_month(wrong)


def test_the_current_month_is_made_now_a_past_one_is_read_as_stored() -> None:
    today = date(2026, 12, 5)
    assert stored_month(None, today) is None
    assert stored_month("2026-12", today) is None
    assert stored_month("2026-11", today) == date(2026, 11, 1)
    assert month_before(date(2027, 1, 1)) == date(2026, 12, 1)
