"""The statistics page's query: which view, as of which day, within which area.

Each view groups the reporting service's /v1/stats by one key; the former districts only make
sense for days before the reform of 1 July 2025, when they still existed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from urllib.parse import urlencode

from hoptac.portal.domain.search_form import Problem

AREA_REFORM_DAY = date(2025, 7, 1)
VIEWS = ("kind", "status", "sector_group", "sector_class", "province", "commune", "legacy_district")
LEGACY_VIEWS = frozenset({"legacy_district"})
FIRST_DAY = date(1945, 1, 1)


@dataclass(frozen=True)
class StatisticsForm:
    view: str = "kind"
    as_of: date | None = None  # None: today in Vietnam, as the reporting service decides
    province: str | None = None

    def backend_params(self) -> list[tuple[str, str]]:
        params = [("group_by", self.view)]
        if self.as_of is not None:
            params.append(("as_of", self.as_of.isoformat()))
        if self.province:
            params.append(("province", self.province))
        return params

    def filter_params(self) -> list[tuple[str, str]]:
        """The same day and area, without the grouping (for the summary report)."""
        return [p for p in self.backend_params() if p[0] != "group_by"]

    def url(self, view: str | None = None, path: str = "/statistics") -> str:
        params = [("view", view or self.view)]
        if self.as_of is not None:
            params.append(("as_of", self.as_of.isoformat()))
        if self.province:
            params.append(("province", self.province))
        return f"{path}?{urlencode(params)}"

    def views(self, today: date) -> tuple[str, ...]:
        day = self.as_of or today
        return tuple(v for v in VIEWS if v not in LEGACY_VIEWS or day < AREA_REFORM_DAY)


def parse_statistics_form(
    params: Iterable[tuple[str, str]], today: date
) -> tuple[StatisticsForm, list[Problem]]:
    given = dict(params)
    problems: list[Problem] = []
    as_of = _day(given.get("as_of", "").strip(), today, problems)
    view = given.get("view", "kind")
    if view not in VIEWS:
        problems.append(Problem("view", "error.view_unknown"))
        view = "kind"
    elif view in LEGACY_VIEWS and (as_of or today) >= AREA_REFORM_DAY:
        problems.append(Problem("view", "error.view_legacy_only"))
        view = "kind"
    province = given.get("province", "").strip() or None
    if province is not None and not (
        len(province) == 2 and province.isascii() and province.isdigit()
    ):
        problems.append(Problem("province", "error.province_invalid"))
        province = None
    return StatisticsForm(view, as_of, province), problems


def _day(raw: str, today: date, problems: list[Problem]) -> date | None:
    if not raw:
        return None
    try:
        day = date.fromisoformat(raw) if len(raw) == 10 else None
    except ValueError:
        day = None
    if day is None:
        problems.append(Problem("as_of", "error.date_invalid"))
    elif day > today:
        problems.append(Problem("as_of", "error.date_future"))
    elif day < FIRST_DAY:
        problems.append(Problem("as_of", "error.date_too_early"))
    else:
        return day
    return None
