"""Periods of a trend report: months or years, each with its first and last day."""

from __future__ import annotations

from datetime import date, timedelta

from hoptac.platform.text import Text, TextError, shown

MAX_PERIODS = 240


def _month_end(year: int, month: int) -> date:
    first_next = date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)
    return first_next - timedelta(days=1)


def periods(unit: str, start: date, end: date) -> list[tuple[date, date]]:
    """(first day, last day) of every month or year from `start`'s to `end`'s, in order.

    The last period ends on `end` itself when that is earlier than its calendar end, so a trend
    up to today shows today's figures.
    """
    if end < start:
        raise TextError(Text("reporting.period_end_before_start"))
    result: list[tuple[date, date]] = []
    if unit == "year":
        for year in range(start.year, end.year + 1):
            result.append((date(year, 1, 1), min(date(year, 12, 31), end)))
    elif unit == "month":
        year, month = start.year, start.month
        while (year, month) <= (end.year, end.month):
            result.append((date(year, month, 1), min(_month_end(year, month), end)))
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
            if len(result) > MAX_PERIODS:
                break
    else:
        raise TextError(Text("reporting.period_unit", unit=shown(unit)))
    if len(result) > MAX_PERIODS:
        raise TextError(Text("reporting.too_many_periods", max=MAX_PERIODS))
    return result
