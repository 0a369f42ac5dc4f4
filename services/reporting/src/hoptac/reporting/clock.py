"""Today in Vietnam: the default day of every statistic (effective dates are Vietnamese days)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from zoneinfo import ZoneInfo

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")

Today = Callable[[], date]


def vietnam_today() -> date:
    return datetime.now(VIETNAM).date()
