"""Time in the registry: instants in UTC, calendar days in Vietnam (UTC+7, no daylight saving)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta, timezone

VIETNAM = timezone(timedelta(hours=7), "ICT")

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    return datetime.now(UTC)


def today_in_vietnam(now: datetime) -> date:
    return now.astimezone(VIETNAM).date()
