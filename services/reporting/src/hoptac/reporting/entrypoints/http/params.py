"""Query parameters shared by the statistics and report routes."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from fastapi import Depends, Query, Request

from hoptac.contracts.codes import Kind, SectorGroup, Status
from hoptac.platform.text import Text
from hoptac.reporting.domain.stats import GROUP_KEYS, InvalidQuery, Problem, StatsQuery, parse_query
from hoptac.reporting.handlers import Reporting

Format = Literal["json", "csv", "xlsx"]


def reporting_of(request: Request) -> Reporting:
    reporting: Reporting = request.app.state.reporting
    return reporting


def _values(description: str) -> object:
    return Query(description=f"{description} Several values: separate them with commas.")


def filters(
    kind: Annotated[
        str | None,
        _values(f"{', '.join(Kind)}."),
    ] = None,
    status: Annotated[
        str | None,
        _values(f"{', '.join(Status)}."),
    ] = None,
    status_class: Annotated[
        str | None, _values("operating, or stopped (every other status).")
    ] = None,
    sector_group: Annotated[str | None, _values(f"{', '.join(SectorGroup)}.")] = None,
    sector_class: Annotated[str | None, _values("agriculture or non_agriculture.")] = None,
    province: Annotated[str | None, _values("Current province code, 2 digits, e.g. 96.")] = None,
    commune: Annotated[str | None, _values("Current commune code, 5 digits.")] = None,
    legacy_province: Annotated[str | None, _values("Province code before 1 July 2025.")] = None,
    legacy_district: Annotated[
        str | None, _values("District code before 1 July 2025, 3 digits.")
    ] = None,
    legacy_commune: Annotated[
        str | None, _values("Commune code before 1 July 2025, 5 digits.")
    ] = None,
) -> dict[str, str | None]:
    given = {
        "kind": kind,
        "status": status,
        "status_class": status_class,
        "sector_group": sector_group,
        "sector_class": sector_class,
        "province": province,
        "commune": commune,
        "legacy_province": legacy_province,
        "legacy_district": legacy_district,
        "legacy_commune": legacy_commune,
    }
    return {key: value for key, value in given.items() if value is not None}


Filters = Annotated[dict[str, str | None], Depends(filters)]
AsOf = Annotated[
    date | None,
    Query(description="The day the figures describe (YYYY-MM-DD); default today in Vietnam."),
]
GroupBy = Annotated[
    str | None,
    Query(description=f"Comma-separated keys among: {', '.join(GROUP_KEYS)}."),
]


def stats_query(
    reporting: Reporting, as_of: date | None, group_by: str | None, given: dict[str, str | None]
) -> StatsQuery:
    today = reporting.today()
    day = as_of or today
    if day > today:
        raise InvalidQuery([Problem("as_of", Text("reporting.as_of_future", day=day, today=today))])
    return parse_query(day, group_by, given)
