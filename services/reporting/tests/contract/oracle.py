"""The three aggregates of the `StatsReader` port, computed the plain way: a Python loop over
the timeline rows, one row at a time. Slow and obviously right; every adapter must agree."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from hoptac.contracts.codes import DIGITAL_FLAGS
from hoptac.reporting.adapters import codes
from hoptac.reporting.domain.facts import OCOP_STARS
from hoptac.reporting.domain.stats import HIERARCHIES, StatsQuery, finest_grouped

Row = dict[str, Any]  # a timeline row: codes as strings, `valid_to` None while open
SUMS = ("members", "workers", "charter_capital")


def _valid_on(row: Row, day: date) -> bool:
    return row["valid_from"] <= day and (row["valid_to"] is None or day < row["valid_to"])


def _value(row: Row, key: str) -> Any:
    if key == "status_class":
        return "operating" if row["status"] == "operating" else "stopped"
    if key == "sector_class":
        return "agriculture" if row["sector_group"] == "agriculture" else "non_agriculture"
    return row[key]


def _matches(row: Row, query: StatsQuery) -> bool:
    return all(_value(row, key) in values for key, values in query.filters.items())


def _order(key: str, value: Any) -> tuple[bool, Any]:
    """As stored and ordered: coded values by their stored numbers, classes false first, a
    missing value last."""
    if value is None:
        return (True, 0)
    stored = codes.wanted(key, [value])[0] if key in codes.NAMES else value
    return (False, stored)


def _level(row: Row, hierarchy: str, finest: str) -> str:
    levels = HIERARCHIES[hierarchy]
    known = [level for level in levels[: levels.index(finest) + 1] if row[level] is not None]
    return known[-1] if known else "unknown"


def _grouped(
    rows: Iterable[Row], keys: Sequence[str], key_of: Any
) -> list[tuple[tuple[Any, ...], list[Row]]]:
    groups: dict[tuple[Any, ...], list[Row]] = {}
    for row in rows:
        groups.setdefault(key_of(row), []).append(row)
    order = sorted(groups, key=lambda key: [_order(k, v) for k, v in zip(keys, key, strict=True)])
    return [(key, groups[key]) for key in order]


def _total(rows: list[Row], name: str) -> int:
    return sum(row[name] or 0 for row in rows)


def stats(timeline: list[Row], query: StatsQuery) -> list[Row]:
    counted = [r for r in timeline if _valid_on(r, query.as_of) and _matches(r, query)]
    levels = {
        f"{name}_level": finest
        for name in HIERARCHIES
        if (finest := finest_grouped(query.group_by, name)) is not None
    }
    keys = [*query.group_by, *levels]

    def key_of(row: Row) -> tuple[Any, ...]:
        grouped = [_value(row, key) for key in query.group_by]
        return (*grouped, *(_level(row, k[: -len("_level")], f) for k, f in levels.items()))

    groups = _grouped(counted, keys, key_of) if keys else [((), counted)]
    return [
        {
            **dict(zip(keys, key, strict=True)),
            "organizations": len(rows),
            **{name: _total(rows, name) for name in SUMS},
        }
        for key, rows in groups
    ]


def summary_cells(timeline: list[Row], query: StatsQuery) -> list[Row]:
    counted = [r for r in timeline if _valid_on(r, query.as_of) and _matches(r, query)]
    cells = ("kind", "status", "sector_group")
    result = []
    for key, rows in _grouped(counted, cells, lambda r: tuple(r[c] for c in cells)):
        cell = {
            **dict(zip(cells, key, strict=True)),
            "organizations": len(rows),
            **{name: _total(rows, name) for name in SUMS},
        }
        for stars in OCOP_STARS:
            cell[f"ocop_{stars}"] = _total(rows, f"ocop_{stars}")
            cell[f"ocop_{stars}_orgs"] = sum(1 for r in rows if r[f"ocop_{stars}"] > 0)
        cell["ocop_orgs"] = sum(1 for r in rows if any(r[f"ocop_{s}"] > 0 for s in OCOP_STARS))
        for flag in DIGITAL_FLAGS:
            cell[f"digital_{flag}"] = sum(1 for r in rows if r[f"digital_{flag}"])
        result.append(cell)
    return result


def trends(
    timeline: list[Row], query: StatsQuery, periods: Sequence[tuple[date, date]]
) -> list[dict[str, int]]:
    """The state on each period's last day, and the organisations registered during it."""
    rows = [r for r in timeline if _matches(r, query)]
    result = []
    for first, last in periods:
        on_last = [r for r in rows if _valid_on(r, last)]
        operating = sum(1 for r in on_last if r["status"] == "operating")
        registered = sum(
            1
            for r in rows
            if r["valid_from"] == r["registered_on"] and first <= r["registered_on"] <= last
        )
        result.append(
            {
                "organizations": len(on_last),
                "operating": operating,
                "stopped": len(on_last) - operating,
                "members": _total(on_last, "members"),
                "workers": _total(on_last, "workers"),
                "registered": registered,
            }
        )
    return result
