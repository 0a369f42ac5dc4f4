"""What the record and status pages share: the administrative units a form offers, the
registry's refusals turned into problems beside fields, and reading a record or its 404."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from fastapi import Request

from hoptac.portal.adapters.areas import AreaNames
from hoptac.portal.adapters.staff import Refused
from hoptac.portal.domain.record_form import Areas, field_named
from hoptac.portal.domain.search_form import Problem
from hoptac.portal.entrypoints.http.rendering import Pages


def area_names(request: Request) -> AreaNames:
    pages: Pages = request.app.state.pages
    return pages.areas


def form_areas(names: AreaNames) -> Areas:
    return Areas(
        names.provinces.__contains__,
        names.province_of.get,
        names.legacy_provinces.__contains__,
        names.legacy_province_of.get,
        names.legacy_district_of.get,
    )


def provinces(names: AreaNames) -> list[tuple[str, str]]:
    return sorted(((code, name) for code, name in names.provinces.items()), key=lambda u: u[1])


def _inside(
    units: dict[str, str], lies_in: dict[str, str], outer: str | None
) -> list[tuple[str, str]]:
    """The units (code, name) that lie in `outer`, by name; none when nothing is chosen."""
    if not outer:
        return []
    inside = ((code, name) for code, name in units.items() if lies_in.get(code) == outer)
    return sorted(inside, key=lambda unit: unit[1])


def unit_choices(request: Request, chosen: Mapping[str, str]) -> dict[str, Any]:
    """The lists of the record form's units, each narrowed by the unit chosen above it."""
    names = area_names(request)
    return {
        "provinces": provinces(names),
        "communes": _inside(names.communes, names.province_of, chosen.get("province_code")),
        "legacy_provinces": sorted(names.legacy_provinces.items(), key=lambda u: u[1]),
        "legacy_districts": _inside(
            names.legacy_districts, names.legacy_province_of, chosen.get("legacy_province_code")
        ),
        "legacy_communes": _inside(
            names.legacy_communes, names.legacy_district_of, chosen.get("legacy_district_code")
        ),
    }


def refused_problems(refused: Refused, fallback: str) -> list[Problem]:
    """The registry's 422 problems beside the fields they name; the rest at `fallback`."""
    problems = []
    for path, _message in refused.fields:
        name = field_named(tuple(path.split(".")))
        problems.append(Problem(name or fallback, "error.registry_refused"))
    return problems or [Problem(fallback, "error.registry_refused")]


def today(request: Request) -> date:
    day: date = request.app.state.today()
    return day
