"""Versions of one organisation, folded into the record as it stood on any day.

The same rule as the registry's: the record on a day is every version effective by then, applied
in (effective date, version) order, and the registration always counts once the (possibly
corrected) registration day has come. Each version carries the fields it changed (`after`
values), so a correction entered today about last year changes last year only.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from hoptac.contracts.json_values import json_copy

Record = dict[str, Any]

REGISTERED = "registered"
REMOVED = "removed"

# The parts of a record that statistics read; changes to other fields are not kept.
COUNTED_FIELDS = frozenset(
    {
        "kind",
        "status",
        "registered_on",
        "members_count",
        "workers_count",
        "charter_capital",
        "ocop_products",
        "operating_in_practice",
        "sector",
        "sector.group",
        "address",
        "address.province_code",
        "address.commune_code",
        "address.legacy",
        "digital",
    }
)
COUNTED_PREFIXES = ("address.legacy.", "digital.")


_PATHS_KEPT = 4096


class _PerPath(dict[str, Any]):
    """`work(path)` of each dotted path, worked out once: asked for every field of every event,
    of a few dozen distinct paths, and a lookup costs less than a cached call. At most
    `_PATHS_KEPT` are kept, since the paths come from events."""

    def __init__(self, work: Callable[[str], Any]) -> None:
        super().__init__()
        self.work = work

    def __missing__(self, path: str) -> Any:
        value = self.work(path)
        if len(self) < _PATHS_KEPT:
            self[path] = value
        return value


def _counted(field: str) -> bool:
    return field in COUNTED_FIELDS or field.startswith(COUNTED_PREFIXES)


COUNTED = _PerPath(_counted)  # COUNTED[field]: is_counted(field)


def is_counted(field: str) -> bool:
    return bool(COUNTED[field])


@dataclass(frozen=True)
class Version:
    version: int
    event: str  # registered, updated, status_changed, merged, removed
    effective_date: date
    changes: tuple[tuple[str, Any], ...]  # (dotted field path, value after the change)


def _parents_and_leaf(path: str) -> tuple[tuple[str, ...], str]:
    *parents, leaf = path.split(".")
    return tuple(parents), leaf


# (parents, leaf) of a dotted path: the fold sets every field of every version it folds.
_SPLIT = _PerPath(_parents_and_leaf)


def _apply(record: Record, version: Version) -> None:
    """Set each changed field at its dotted path (every field of every version folded: the
    walk is written out here, not a call per field)."""
    for path, value in version.changes:
        parents, leaf = _SPLIT[path]
        node = record
        for key in parents:
            child = node.get(key)
            if not isinstance(child, dict):
                child = {}
                node[key] = child
            node = child
        # Versions are folded again and again: never let a later change edit a stored value.
        node[leaf] = json_copy(value) if isinstance(value, (dict, list)) else value


def _in_world_order(versions: Iterable[Version]) -> list[Version]:
    return sorted(versions, key=lambda v: (v.effective_date, v.version))


def current_record(versions: Sequence[Version]) -> Record:
    record: Record = {}
    for version in _in_world_order(versions):
        _apply(record, version)
    return record


def _registered_on_value(ordered: Iterable[Version]) -> Any:
    """`current_record(ordered)["registered_on"]` (None if absent), without building the record:
    the fold runs for every event, and this is all it needs before its one pass."""
    value = None
    for version in ordered:
        for field, after in version.changes:
            if "registered_on" not in field:  # most fields: ruled out by one test
                continue
            if field == "registered_on":
                value = after
            elif field.startswith("registered_on."):  # _apply makes it a mapping
                value = {}
    return value


def registered_on(versions: Sequence[Version]) -> date | None:
    value = _registered_on_value(_in_world_order(versions))
    return date.fromisoformat(value) if isinstance(value, str) else None


def record_on(versions: Sequence[Version], day: date) -> Record | None:
    """The record at the end of `day`, or None if it was not registered by then."""
    start = registered_on(versions)
    if start is None or day < start:
        return None
    record: Record = {}
    for version in _in_world_order(versions):
        if version.effective_date <= day or version.event == REGISTERED:
            _apply(record, version)
    return record


def is_complete(versions: Sequence[Version]) -> bool:
    """Every version from 1 to the newest is here (none is still on its way)."""
    numbers = {v.version for v in versions}
    return bool(numbers) and numbers == set(range(1, max(numbers) + 1))


def is_removed(versions: Iterable[Version]) -> bool:
    return any(v.event == REMOVED for v in versions)


def change_days(versions: Sequence[Version], start: date | None = None) -> list[date]:
    """The days on which the record can differ from the day before, from registration on."""
    start = start or registered_on(versions)
    if start is None:
        return []
    later = {v.effective_date for v in versions if v.effective_date > start}
    return [start, *sorted(later)]


def records_by_day(versions: Sequence[Version]) -> Iterator[tuple[date, Record]]:
    """The record at the end of each change day, in day order: `record_on` for every day of
    `change_days`, folded once instead of once per day when the registration comes first in
    world order (always, unless the registration day was corrected to an earlier one).

    A record yielded may change once the next one is asked for: read it before.
    """
    ordered = _in_world_order(versions)
    value = _registered_on_value(ordered)
    if not isinstance(value, str):
        return
    start = date.fromisoformat(value)
    registration = next((v for v in ordered if v.event == REGISTERED), None)
    if registration is not None and registration.effective_date > start:
        for day in change_days(versions, start):
            on_day = record_on(versions, day)
            if on_day is not None:
                yield day, on_day
        return
    record: Record = {}
    position = 0
    for day in change_days(versions, start):
        while position < len(ordered) and ordered[position].effective_date <= day:
            _apply(record, ordered[position])
            position += 1
        yield day, record
