"""The workspace's record form: the fields a person edits, read from the posted form, checked
with a message beside each field (catalogue keys, in Vietnamese first), and turned into the
merge patch of what changed. The registry checks everything again; this catches what a person
can fix at once, in their language."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from hoptac.contracts.codes import Kind, OperatingInPractice, SectorGroup
from hoptac.portal.domain.search_form import Problem

Path = tuple[str, ...]
MAX_TEXT = 300
MAX_COUNT = 10_000_000
MAX_MONEY = 10**15
DAY = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")
CODE_SEPARATORS = re.compile(r"[\s,;]+")
VSIC_CODE = re.compile(r"\d{2,5}")
MAX_CODES = 50


@dataclass(frozen=True)
class Field:
    name: str  # the form control's name and id
    path: Path  # where it lives in the record
    kind: str  # text, codes, count, money, day, choice, or a unit: province, commune, legacy_…
    required: bool = False
    choices: tuple[str, ...] = ()


EDITABLE = (
    Field("name", ("name",), "text", required=True),
    Field("name_abbreviation", ("name_abbreviation",), "text"),
    Field("street", ("address", "street"), "text"),
    Field("province_code", ("address", "province_code"), "province", required=True),
    Field("commune_code", ("address", "commune_code"), "commune", required=True),
    Field("legacy_province_code", ("address", "legacy", "province_code"), "legacy_province"),
    Field("legacy_district_code", ("address", "legacy", "district_code"), "legacy_district"),
    Field("legacy_commune_code", ("address", "legacy", "commune_code"), "legacy_commune"),
    Field("sector_group", ("sector", "group"), "choice", True, tuple(SectorGroup)),
    Field("vsic", ("sector", "vsic"), "codes"),
    Field("members_count", ("members_count",), "count"),
    Field("workers_count", ("workers_count",), "count"),
    Field("charter_capital", ("charter_capital",), "money"),
    Field(
        "operating_in_practice",
        ("operating_in_practice",),
        "choice",
        choices=tuple(OperatingInPractice),
    ),
    Field("last_verified_on", ("last_verified_on",), "day"),
)
# Set once, when the record is made; later changes to them are corrections of their own.
IDENTITY = (
    Field("registration_number", ("registration_number",), "text", required=True),
    Field("kind", ("kind",), "choice", True, tuple(Kind)),
    Field("registered_on", ("registered_on",), "day", required=True),
)


@dataclass(frozen=True)
class Areas:
    """What the form needs to know of administrative units: for each unit, the unit it lies in
    (a province's is itself), None for an unknown code."""

    province_exists: Callable[[str], bool]
    province_of_commune: Callable[[str], str | None]
    legacy_province_exists: Callable[[str], bool]
    legacy_province_of_district: Callable[[str], str | None]
    legacy_district_of_commune: Callable[[str], str | None]


def fields_for(creating: bool) -> tuple[Field, ...]:
    return (*IDENTITY, *EDITABLE) if creating else EDITABLE


def value_at(record: Mapping[str, Any], path: Path) -> Any:
    value: Any = record
    for part in path:
        value = value.get(part) if isinstance(value, Mapping) else None
    return value


def shown(record: Mapping[str, Any], creating: bool) -> dict[str, str]:
    """The record's values as the form shows them (dates day first)."""
    values = {}
    for field in fields_for(creating):
        value = value_at(record, field.path)
        if value is None:
            values[field.name] = ""
        elif field.kind == "codes":
            values[field.name] = ", ".join(value)
        elif field.kind == "day":
            day = date.fromisoformat(str(value)[:10])
            values[field.name] = f"{day.day:02d}/{day.month:02d}/{day.year}"
        else:
            values[field.name] = str(value)
    return values


def parse_day(text: str) -> date | None:
    match = DAY.fullmatch(text)
    try:
        if match:
            return date(int(match[3]), int(match[2]), int(match[1]))
        return date.fromisoformat(text)
    except ValueError:
        return None


def _whole_number(text: str, maximum: int) -> int | None:
    digits = text.replace(".", "").replace(" ", "").replace(",", "")
    if not digits.isascii() or not digits.isdigit() or int(digits) > maximum:
        return None
    return int(digits)


@dataclass(frozen=True)
class Parsed:
    raw: dict[str, str]  # what was sent, to show again
    values: dict[Path, Any]  # checked values; None for an emptied optional field
    problems: list[Problem]


def _check(field: Field, text: str, today: date, areas: Areas) -> tuple[Any, str | None]:
    """The value of one field, or the catalogue key of what is wrong with it."""
    if field.kind == "text":
        return (text, None) if len(text) <= MAX_TEXT else (None, "error.text_too_long")
    if field.kind in ("count", "money"):
        number = _whole_number(text, MAX_COUNT if field.kind == "count" else MAX_MONEY)
        return (number, None) if number is not None else (None, f"error.{field.kind}_invalid")
    if field.kind == "day":
        day = parse_day(text)
        if day is None:
            return None, "error.day_invalid"
        return (day.isoformat(), None) if day <= today else (None, "error.day_future")
    if field.kind == "choice":
        return (text, None) if text in field.choices else (None, "error.choice_invalid")
    if field.kind == "codes":
        codes = [code for code in CODE_SEPARATORS.split(text) if code]
        if len(codes) > MAX_CODES or not all(VSIC_CODE.fullmatch(code) for code in codes):
            return None, "error.vsic_invalid"
        return list(dict.fromkeys(codes)), None
    known, unknown = {
        "province": (areas.province_exists, "error.province_unknown"),
        "commune": (areas.province_of_commune, "error.commune_unknown"),
        "legacy_province": (areas.legacy_province_exists, "error.legacy_province_unknown"),
        "legacy_district": (areas.legacy_province_of_district, "error.legacy_district_unknown"),
        "legacy_commune": (areas.legacy_district_of_commune, "error.legacy_commune_unknown"),
    }[field.kind]
    return (text, None) if known(text) else (None, unknown)


def parse(form: Mapping[str, str], creating: bool, today: date, areas: Areas) -> Parsed:
    fields = fields_for(creating)
    raw = {f.name: str(form.get(f.name) or "").strip()[: MAX_TEXT + 1] for f in fields}
    values: dict[Path, Any] = {}
    problems = []
    for field in fields:
        text = raw[field.name]
        if not text:
            if field.required:
                problems.append(Problem(field.name, f"error.{field.name}_required"))
            else:
                values[field.path] = None
            continue
        value, problem = _check(field, text, today, areas)
        if problem:
            problems.append(Problem(field.name, problem))
        else:
            values[field.path] = value
    problems += _units_apart(values, areas)
    if "name" in raw and 0 < len(raw["name"]) < 2:
        problems.append(Problem("name", "error.name_short"))
    return Parsed(raw, values, problems)


# Units that are sent together or not at all, so that a commune never leaves its province.
UNIT_GROUPS = (
    frozenset({"province_code", "commune_code"}),
    frozenset({"legacy_province_code", "legacy_district_code", "legacy_commune_code"}),
)


def originals_of(form: Mapping[str, str]) -> dict[str, str]:
    """The values the form showed when it was opened (hidden `was_<name>` controls)."""
    return {f.name: str(form.get(f"was_{f.name}") or "").strip()[: MAX_TEXT + 1] for f in EDITABLE}


def touched(parsed: Parsed, originals: Mapping[str, str]) -> set[str]:
    """The controls the person changed. Only these are sent, so that re-applying a form
    opened before someone else's save never undoes that save."""
    names = {f.name for f in EDITABLE if parsed.raw.get(f.name, "") != originals.get(f.name, "")}
    for group in UNIT_GROUPS:
        if names & group:
            names |= group
    return names


def only(parsed: Parsed, names: set[str]) -> Parsed:
    """`parsed` narrowed to the controls `names`: their values and their problems."""
    paths = {f.path for f in EDITABLE if f.name in names}
    return Parsed(
        parsed.raw,
        {path: value for path, value in parsed.values.items() if path in paths},
        [problem for problem in parsed.problems if problem.field in names],
    )


def _units_apart(values: Mapping[Path, Any], areas: Areas) -> list[Problem]:
    """A commune outside its chosen province, or a former unit outside the one chosen above it."""
    address = ("address",)
    legacy = ("address", "legacy")
    pairs = (
        ("commune_code", "error.commune_elsewhere", (*address, "commune_code"),
         (*address, "province_code"), areas.province_of_commune),
        ("legacy_district_code", "error.legacy_district_elsewhere", (*legacy, "district_code"),
         (*legacy, "province_code"), areas.legacy_province_of_district),
        ("legacy_commune_code", "error.legacy_commune_elsewhere", (*legacy, "commune_code"),
         (*legacy, "district_code"), areas.legacy_district_of_commune),
    )  # fmt: skip
    problems = []
    for name, key, inner, outer, lies_in in pairs:
        unit, chosen = values.get(inner), values.get(outer)
        if unit and chosen and lies_in(unit) != chosen:
            problems.append(Problem(name, key))
    return problems


def record_of(values: Mapping[Path, Any]) -> dict[str, Any]:
    """A new record from checked values (empty optional fields left out)."""
    record: dict[str, Any] = {}
    for path, value in values.items():
        if value is not None:
            _put(record, path, value)
    return record


def merge_patch(values: Mapping[Path, Any], current: Mapping[str, Any]) -> dict[str, Any]:
    """The fields whose value differs from the record's, as a JSON merge patch (an emptied
    field is null, which removes it)."""
    patch: dict[str, Any] = {}
    for path, value in values.items():
        if value != value_at(current, path):
            _put(patch, path, value)
    return patch


def changed_fields(patch: Mapping[str, Any], prefix: Path = ()) -> list[Path]:
    paths: list[Path] = []
    for key, value in patch.items():
        if isinstance(value, Mapping):
            paths += changed_fields(value, (*prefix, key))
        else:
            paths.append((*prefix, key))
    return paths


def field_named(path: Path) -> str | None:
    """The form control of a record path (for a problem the registry reports)."""
    dotted = ".".join(path)
    for field in (*IDENTITY, *EDITABLE):
        if ".".join(field.path) == dotted:
            return field.name
    return None


def _put(target: dict[str, Any], path: Path, value: Any) -> None:
    for part in path[:-1]:
        target = target.setdefault(part, {})
    target[path[-1]] = value
