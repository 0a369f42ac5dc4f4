"""Months as the data-quality reports name them: `2026-11`, held as the month's first day."""

from __future__ import annotations

import re
from datetime import date

from hoptac.platform.text import Text, TextError, shown

MONTH = re.compile(r"(\d{4})-(\d{2})")
FIRST_YEAR, LAST_YEAR = 2000, 2100


def parse_month(value: str) -> date:
    """`2026-11` as 1 November 2026; anything else is refused with the form to write."""
    found = MONTH.fullmatch(value)
    if found is None or not (FIRST_YEAR <= int(found[1]) <= LAST_YEAR and 1 <= int(found[2]) <= 12):
        raise TextError(Text("collection.quality_month_form", value=shown(value)))
    return date(int(found[1]), int(found[2]), 1)


def checked_month(value: str | None) -> str | None:
    """For a query parameter: the value, once it is known to be a month."""
    if value is not None:
        parse_month(value)
    return value


def month_of(day: date) -> date:
    return day.replace(day=1)


def month_before(month: date) -> date:
    return date(month.year - 1, 12, 1) if month.month == 1 else date(month.year, month.month - 1, 1)


def stored_month(asked: str | None, today: date) -> date | None:
    """The month whose stored report is asked for; None for the report made now (no month, or
    the month of `today`, not ended yet)."""
    if asked is None:
        return None
    month = parse_month(asked)
    return None if month == month_of(today) else month
