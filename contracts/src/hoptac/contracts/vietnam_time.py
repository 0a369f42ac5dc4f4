"""Calendar days are Vietnamese days: an effective date, `registered_on`, an `as_of` and "today"
are all days in Vietnam, whatever the server's time zone.

A fixed UTC+7: Vietnam has kept it without daylight saving since 1975, and it needs no time
zone database on the machine (slim images have none). Before 1975 the South used UTC+8; no
record's day is computed that far back from an instant.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

VIETNAM = timezone(timedelta(hours=7), "ICT")


def vietnam_day(instant: datetime) -> date:
    """The day in Vietnam at `instant` (an aware datetime)."""
    return instant.astimezone(VIETNAM).date()


def vietnam_today() -> date:
    return vietnam_day(datetime.now(UTC))
