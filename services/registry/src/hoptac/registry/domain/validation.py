"""Rules a whole record must satisfy, beyond the types checked at the HTTP edge."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from hoptac.platform.text import Text
from hoptac.registry.domain.areas import AdministrativeUnits, check_address
from hoptac.registry.domain.errors import FieldProblem, InvalidFields
from hoptac.registry.domain.legal_basis import REQUIRED_FIELDS
from hoptac.registry.domain.record import Record
from hoptac.registry.domain.vsic import VsicCatalog

REQUIRED = tuple(REQUIRED_FIELDS)


@dataclass(frozen=True)
class ReferenceData:
    units: AdministrativeUnits
    vsic: VsicCatalog


def _get(record: Record, path: str) -> Any:
    node: Any = record
    for key in path.split("."):
        if not isinstance(node, dict):
            return None
        node = node.get(key)
    return node


def _day(value: Any) -> date | None:
    return date.fromisoformat(value) if isinstance(value, str) else None


def _dates(record: Record, today: date) -> list[FieldProblem]:
    problems = []
    registered_on = _day(record.get("registered_on"))
    if registered_on and registered_on > today:
        problems.append(
            FieldProblem("registered_on", Text("registry.day_in_future", day=registered_on))
        )
    for path in ("last_verified_on",):
        day = _day(record.get(path))
        if day and day > today:
            problems.append(FieldProblem(path, Text("registry.day_in_future", day=day)))
    status_since = _day(record.get("status_since"))
    if registered_on and status_since and status_since < registered_on:
        problems.append(
            FieldProblem(
                "status_since",
                Text("registry.day_before_registration", day=status_since, floor=registered_on),
            )
        )
    for index, product in enumerate(record.get("ocop_products") or []):
        certified = _day(product.get("certified_on"))
        if certified and certified > today:
            problems.append(
                FieldProblem(
                    f"ocop_products.{index}.certified_on",
                    Text("registry.day_in_future", day=certified),
                )
            )
    years = [f.get("year") for f in record.get("financials") or []]
    for index, year in enumerate(years):
        if year is not None and year > today.year:
            problems.append(
                FieldProblem(f"financials.{index}.year", Text("registry.year_not_ended", year=year))
            )
        if year is not None and years.index(year) != index:
            problems.append(
                FieldProblem(f"financials.{index}.year", Text("registry.year_twice", year=year))
            )
    return problems


def _sector(record: Record, vsic: VsicCatalog) -> list[FieldProblem]:
    problems = []
    codes = _get(record, "sector.vsic") or []
    for index, code in enumerate(codes):
        message = vsic.check_code(code)
        if message:
            problems.append(FieldProblem(f"sector.vsic.{index}", message))
        elif codes.index(code) != index:
            problems.append(
                FieldProblem(f"sector.vsic.{index}", Text("registry.vsic_twice", code=code))
            )
    return problems


def _address(record: Record, units: AdministrativeUnits) -> list[FieldProblem]:
    address = record.get("address") or {}
    if not address.get("province_code"):
        return []
    return [
        FieldProblem(p.field, p.message)
        for p in check_address(
            units, address["province_code"], address.get("commune_code"), address.get("legacy")
        )
    ]


def problems_of(record: Record, reference: ReferenceData, today: date) -> list[FieldProblem]:
    problems = [
        FieldProblem(path, Text("registry.required"))
        for path in REQUIRED
        if _get(record, path) in (None, "")
    ]
    problems += _dates(record, today)
    problems += _sector(record, reference.vsic)
    problems += _address(record, reference.units)
    if record.get("suspended_until") and record.get("status") != "suspended":
        problems.append(FieldProblem("suspended_until", Text("registry.end_only_for_suspension")))
    return problems


def check_record(record: Record, reference: ReferenceData, today: date) -> None:
    problems = problems_of(record, reference, today)
    if problems:
        raise InvalidFields(problems)
