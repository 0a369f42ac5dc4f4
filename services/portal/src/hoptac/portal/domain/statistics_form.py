"""The statistics page's query: which view, as of which day, within which area.

Each view groups the reporting service's /v1/stats by one key; the former districts only make
sense for days before the reform of 1 July 2025, when they still existed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from urllib.parse import urlencode

from hoptac.contracts.codes import Kind
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
    kind: str | None = None

    def backend_params(self) -> list[tuple[str, str]]:
        return [("group_by", self.view), *self.filter_params()]

    def filter_params(self) -> list[tuple[str, str]]:
        """The day, area and kind, without the grouping (as the summary report takes them)."""
        params = [("as_of", self.as_of.isoformat())] if self.as_of is not None else []
        params += [("province", self.province)] if self.province else []
        return params + ([("kind", self.kind)] if self.kind else [])

    def url(self, view: str | None = None, path: str = "/statistics") -> str:
        return f"{path}?{urlencode([('view', view or self.view), *self.filter_params()])}"

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
    kind = given.get("kind", "").strip() or None
    if kind is not None and kind not in tuple(Kind):
        problems.append(Problem("kind", "error.kind_invalid"))
        kind = None
    return StatisticsForm(view, as_of, province, kind), problems


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
