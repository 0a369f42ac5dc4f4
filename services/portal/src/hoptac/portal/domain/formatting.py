"""How numbers, dates and rates are written for Vietnamese and English readers.

Vietnamese groups thousands with a dot and writes decimals with a comma (4.497; 45,2 %); both
languages write dates day first (30/07/2022), as the register's own documents do, and a moment
at Vietnam's hour.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from hoptac.contracts.vietnam_time import VIETNAM

Language = Literal["vi", "en"]
LANGUAGES: tuple[Language, ...] = ("vi", "en")
DEFAULT_LANGUAGE: Language = "vi"

_SEPARATORS: dict[Language, tuple[str, str]] = {"vi": (".", ","), "en": (",", ".")}


def format_number(value: int | float | None, language: Language, decimals: int = 0) -> str:
    if value is None:
        return "–"
    grouping, decimal_mark = _SEPARATORS[language]
    text = f"{value:,.{decimals}f}"
    return text.replace(",", "\0").replace(".", decimal_mark).replace("\0", grouping)


def format_rate(rate: float | None, language: Language) -> str:
    """A share between 0 and 1 as a percentage with one decimal: 45,2 % (vi), 45.2% (en)."""
    if rate is None:
        return "–"
    number = format_number(rate * 100, language, decimals=1)
    return f"{number} %" if language == "vi" else f"{number}%"


def format_date(value: date | str | None) -> str:
    """dd/mm/yyyy from a date or an ISO date or timestamp; '–' when there is none."""
    if value is None or value == "":
        return "–"
    day = _as_date(value)
    return f"{day.day:02d}/{day.month:02d}/{day.year:04d}"


def format_moment(value: str | None) -> str:
    """An ISO timestamp as read in Vietnam, whatever the server's zone: 05/12/2026 09:30."""
    if not value:
        return "–"
    moment = datetime.fromisoformat(value).astimezone(VIETNAM)
    return f"{format_date(moment.date())} {moment.hour:02d}:{moment.minute:02d}"


def format_money(value: int | None, language: Language) -> str:
    return "–" if value is None else f"{format_number(value, language)} ₫"


def _as_date(value: date | str) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(value[:10])
