"""Time in the registry: instants in UTC, calendar days in Vietnam (contracts' vietnam_time)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    return datetime.now(UTC)
