"""Public challenges ("báo sai thông tin"): anyone may say that a record is wrong. Each goes to
the officers of the record's area as a task due in 10 working days."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from hoptac.contracts.vietnam_time import VIETNAM

TARGET_WORKING_DAYS = 10


def due_on(opened: datetime, working_days: int = TARGET_WORKING_DAYS) -> date:
    """The day a challenge opened at `opened` is due: `working_days` Mondays to Fridays after
    the day it was opened, in Vietnam (public holidays are not counted out)."""
    day = opened.astimezone(VIETNAM).date()
    left = working_days
    while left:
        day += timedelta(days=1)
        if day.weekday() < 5:
            left -= 1
    return day


def is_late(due: date, resolved_on: date | None, today: date) -> bool:
    """Resolved after its due day, or still open past it."""
    return (resolved_on or today) > due
