"""Versions of one organisation and the record as it stood on any day.

Each version holds the field changes of one write and the day they took effect. The record on a
day is every version effective by then, applied in (effective date, version) order, so data
entered late lands on the right day and a correction about last year changes last year only.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from hoptac.contracts.codes import EventName
from hoptac.registry.domain.record import Change, Record, apply_changes


@dataclass(frozen=True)
class Version:
    version: int
    event: EventName
    effective_date: date
    changes: tuple[Change, ...]
    reason: str | None = None


def _in_world_order(versions: Sequence[Version]) -> list[Version]:
    return sorted(versions, key=lambda v: (v.effective_date, v.version))


def current_record(versions: Sequence[Version]) -> Record:
    record: Record = {}
    for version in _in_world_order(versions):
        record = apply_changes(record, version.changes)
    return record


def record_on(versions: Sequence[Version], day: date) -> Record | None:
    """The record as it stood at the end of `day`, or None if not registered by then."""
    registered_on = date.fromisoformat(current_record(versions)["registered_on"])
    if day < registered_on:
        return None
    record: Record = {}
    for version in _in_world_order(versions):
        # The registration always counts once the (possibly corrected) registration day is past.
        if version.effective_date <= day or version.event == EventName.REGISTERED:
            record = apply_changes(record, version.changes)
    return record
