"""Today in Vietnam: the day statistics describe by default and the latest an as-of may name."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from zoneinfo import ZoneInfo

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")

Today = Callable[[], date]


def vietnam_today() -> date:
    return datetime.now(VIETNAM).date()
