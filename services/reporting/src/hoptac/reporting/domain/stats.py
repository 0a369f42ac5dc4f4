"""What a statistics request may ask: group keys, filters and a date, checked before any SQL."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from hoptac.platform.text import Text, fix_these_fields, shown
from hoptac.reporting.domain.labels import AREA_LEVEL, BY_KEY, label

AREA_KEYS = ("province", "commune", "legacy_province", "legacy_district", "legacy_commune")
CODED_KEYS = ("kind", "status", "status_class", "sector_group", "sector_class")
GROUP_KEYS = (*CODED_KEYS, *AREA_KEYS)
MEASURES = ("organizations", "members", "workers", "charter_capital")

# Each hierarchy of areas, coarse to fine: an organisation is counted at the finest level known.
HIERARCHIES = {
    "current": ("province", "commune"),
    "legacy": ("legacy_province", "legacy_district", "legacy_commune"),
}
CODE_WIDTH = {
    "province": 2,
    "legacy_province": 2,
    "legacy_district": 3,
    "commune": 5,
    "legacy_commune": 5,
}
CODE_EXAMPLE = {2: "96", 3: "964", 5: "32025"}


@dataclass(frozen=True)
class Problem:
    field: str
    message: Text


class InvalidQuery(Exception):
    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = list(problems)
        super().__init__(fix_these_fields(self.problems))


@dataclass(frozen=True)
class StatsQuery:
    as_of: date
    group_by: tuple[str, ...] = ()
    filters: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


def _split(value: str | None) -> list[str]:
    if value is None:
        return []
    return [part.strip() for part in value.split(",") if part.strip()]


def _check_value(key: str, value: str) -> Text | None:
    allowed = BY_KEY.get(key)
    if allowed is not None and value not in allowed:
        return Text("query.not_one_of", value=shown(value), choices=", ".join(allowed))
    width = CODE_WIDTH.get(key)
    if width is not None and not (len(value) == width and value.isascii() and value.isdigit()):
        return Text(
            "reporting.not_a_code", value=shown(value), digits=width, example=CODE_EXAMPLE[width]
        )
    return None


def parse_query(as_of: date, group_by: str | None, filters: Mapping[str, str | None]) -> StatsQuery:
    """Check every part of a request and report all problems at once."""
    problems: list[Problem] = []
    keys = _split(group_by)
    for key in keys:
        if key not in GROUP_KEYS:
            unknown = Text(
                "reporting.group_key_unknown", key=shown(key), keys=", ".join(GROUP_KEYS)
            )
            problems.append(Problem("group_by", unknown))
    if len(set(keys)) != len(keys):
        problems.append(Problem("group_by", Text("reporting.key_twice")))
    checked: dict[str, tuple[str, ...]] = {}
    for key, raw in filters.items():
        values = _split(raw)
        if raw is not None and not values:
            problems.append(Problem(key, Text("reporting.filter_empty")))
        for value in values:
            message = _check_value(key, value)
            if message:
                problems.append(Problem(key, message))
        if values:
            checked[key] = tuple(dict.fromkeys(values))
    if problems:
        raise InvalidQuery(problems)
    return StatsQuery(as_of=as_of, group_by=tuple(keys), filters=checked)


def finest_grouped(group_by: Sequence[str], hierarchy: str) -> str | None:
    """The finest level of a hierarchy of areas the request groups by, if any."""
    grouped = [level for level in HIERARCHIES[hierarchy] if level in group_by]
    return grouped[-1] if grouped else None


def _whole(value: object) -> int:
    """A count or sum from the database (int, or Decimal for sums of bigints)."""
    if isinstance(value, int):
        return value
    if isinstance(value, Decimal) and value == value.to_integral_value():
        return int(value)
    raise TypeError(f"not a whole number: {value!r}")


def _depth(hierarchy: str, level: str) -> int:
    levels = HIERARCHIES[hierarchy]
    return levels.index(level) if level in levels else -1


@dataclass(frozen=True)
class Answer:
    rows: list[dict[str, object]]
    totals: dict[str, int]
    notes: list[dict[str, object]]


def shape(
    query: StatsQuery,
    found: Sequence[Mapping[str, object]],
    area_names: Mapping[str, Mapping[str, str]] | None = None,
) -> Answer:
    """Rows with Vietnamese labels (areas named from `area_names`, by key then code), totals,
    and a note for every count made at a coarser area."""
    area_names = area_names or {}
    rows: list[dict[str, object]] = []
    totals = dict.fromkeys(MEASURES, 0)
    coarser: dict[tuple[str, str], int] = {}
    for record in found:
        row: dict[str, object] = {}
        for key in query.group_by:
            row[key] = record[key]
            name = label(key, record[key]) or area_names.get(key, {}).get(str(record[key]))
            if name is not None:
                row[f"{key}_label"] = name
        for hierarchy in HIERARCHIES:
            finest = finest_grouped(query.group_by, hierarchy)
            level = record.get(f"{hierarchy}_level")
            if finest is None or not isinstance(level, str):
                continue
            if _depth(hierarchy, level) < _depth(hierarchy, finest):
                row["counted_at"] = level
                row["counted_at_label"] = AREA_LEVEL[level]
                count = _whole(record["organizations"])
                coarser[(finest, level)] = coarser.get((finest, level), 0) + count
        for measure in MEASURES:
            value = _whole(record[measure])
            row[measure] = value
            totals[measure] += value
        rows.append(row)
    notes: list[dict[str, object]] = [
        {
            "unknown": finest,
            "counted_at": level,
            "organizations": count,
            "message": (
                f"{count} organisation(s) have no certain {finest.replace('_', ' ')}"
                + (
                    " (their old commune was split, or only an old unit is known)"
                    if finest in ("commune", "legacy_commune", "legacy_district")
                    else ""
                )
                + f": they are counted at {level.replace('_', ' ')} level, in rows with "
                f"{finest} null, never guessed"
            ),
        }
        for (finest, level), count in sorted(coarser.items())
    ]
    return Answer(rows, totals, notes)
