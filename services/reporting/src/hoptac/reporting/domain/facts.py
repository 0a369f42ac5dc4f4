"""What statistics count about one organisation on one day, and its timeline of such facts."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from hoptac.contracts.codes import DIGITAL_FLAGS
from hoptac.reporting.domain.history import (
    REGISTERED,
    Record,
    Version,
    is_removed,
    records_by_day,
)

OCOP_STARS = (3, 4, 5)
# The row's column names of the stars and flags, made once (a row is made for every interval).
_OCOP_COLUMNS = tuple(f"ocop_{stars}" for stars in OCOP_STARS)
_DIGITAL_COLUMNS = tuple(f"digital_{flag}" for flag in DIGITAL_FLAGS)


@dataclass(frozen=True)
class Facts:
    """The counted fields of a record; equal facts on consecutive days share one interval."""

    registered_on: date
    kind: str
    status: str
    sector_group: str
    province: str
    commune: str | None
    legacy_province: str | None
    legacy_district: str | None
    legacy_commune: str | None
    members: int | None
    workers: int | None
    charter_capital: int | None
    ocop: tuple[int, int, int]  # products with 3, 4 and 5 stars
    digital: tuple[bool, ...]  # in the order of DIGITAL_FLAGS
    operating_in_practice: str

    def as_row(self) -> dict[str, Any]:
        row: dict[str, Any] = {
            "registered_on": self.registered_on,
            "kind": self.kind,
            "status": self.status,
            "sector_group": self.sector_group,
            "province": self.province,
            "commune": self.commune,
            "legacy_province": self.legacy_province,
            "legacy_district": self.legacy_district,
            "legacy_commune": self.legacy_commune,
            "members": self.members,
            "workers": self.workers,
            "charter_capital": self.charter_capital,
            "operating_in_practice": self.operating_in_practice,
        }
        row.update(zip(_OCOP_COLUMNS, self.ocop, strict=True))
        row.update(zip(_DIGITAL_COLUMNS, self.digital, strict=True))
        return row

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> Facts:
        return cls(
            registered_on=row["registered_on"],
            kind=row["kind"],
            status=row["status"],
            sector_group=row["sector_group"],
            province=row["province"],
            commune=row["commune"],
            legacy_province=row["legacy_province"],
            legacy_district=row["legacy_district"],
            legacy_commune=row["legacy_commune"],
            members=row["members"],
            workers=row["workers"],
            charter_capital=row["charter_capital"],
            ocop=(row["ocop_3"], row["ocop_4"], row["ocop_5"]),
            digital=tuple(bool(row[f"digital_{flag}"]) for flag in DIGITAL_FLAGS),
            operating_in_practice=row["operating_in_practice"],
        )


@dataclass(frozen=True)
class Interval:
    """`facts` held from `valid_from` up to, not including, `valid_to` (None: still holds)."""

    valid_from: date
    valid_to: date | None
    facts: Facts


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _count(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _certified_on(product: Any) -> date | None:
    value = product.get("certified_on") if isinstance(product, dict) else None
    return date.fromisoformat(value) if isinstance(value, str) else None


def _certified_by(product: Any, day: date | None) -> bool:
    """An OCOP product counts from its certification day (from when it is recorded, if that day
    is not known)."""
    certified = _certified_on(product)
    return day is None or certified is None or certified <= day


def facts_of(record: Record, day: date | None = None) -> Facts:
    """The counted facts of `record` on `day` (None: whatever day, every product counted)."""
    address = _dict(record.get("address"))
    legacy = _dict(address.get("legacy"))
    digital = _dict(record.get("digital"))
    products = record.get("ocop_products") or []
    stars = [p.get("stars") for p in products if isinstance(p, dict) and _certified_by(p, day)]
    return Facts(
        registered_on=date.fromisoformat(str(record["registered_on"])),
        kind=str(record["kind"]),
        status=str(record["status"]),
        sector_group=str(_dict(record.get("sector")).get("group") or "other"),
        province=str(address["province_code"]),
        commune=address.get("commune_code") or None,
        legacy_province=legacy.get("province_code") or None,
        legacy_district=legacy.get("district_code") or None,
        legacy_commune=legacy.get("commune_code") or None,
        members=_count(record.get("members_count")),
        workers=_count(record.get("workers_count")),
        charter_capital=_count(record.get("charter_capital")),
        ocop=(stars.count(3), stars.count(4), stars.count(5)),
        digital=tuple([digital.get(flag) is True for flag in DIGITAL_FLAGS]),
        operating_in_practice=str(record.get("operating_in_practice") or "unknown"),
    )


def timeline(versions: Sequence[Version], latest: Record | None = None) -> list[Interval]:
    """The organisation's counted facts over time; empty once it is removed.

    Without its registration (version 1 not received yet, e.g. the stream began later) the
    latest full record is the best knowledge: it counts from its registration day as it is now.
    """
    if is_removed(versions):
        return []
    if not any(v.version == 1 and v.event == REGISTERED for v in versions):
        if latest is None:
            return []
        registered_on = facts_of(latest).registered_on
        return _intervals([_steps(registered_on, latest)])
    return _intervals([_steps(day, record) for day, record in records_by_day(versions)])


def _steps(day: date, record: Record) -> list[tuple[date, Facts]]:
    """The facts of `record` from `day`, and again from each later day one of its OCOP products
    was certified (computed now: the record may change once the next one is read)."""
    later = sorted(
        {
            certified
            for product in record.get("ocop_products") or []
            if (certified := _certified_on(product)) is not None and certified > day
        }
    )
    return [(step, facts_of(record, step)) for step in (day, *later)]


def _intervals(records: list[list[tuple[date, Facts]]]) -> list[Interval]:
    """One interval per run of equal facts; a record's steps hold until the next record's day."""
    intervals: list[Interval] = []
    for index, steps in enumerate(records):
        until = records[index + 1][0][0] if index + 1 < len(records) else None
        for day, facts in steps:
            if until is not None and day >= until:
                break
            if intervals and intervals[-1].facts == facts:
                continue
            if intervals:
                intervals[-1] = Interval(intervals[-1].valid_from, day, intervals[-1].facts)
            intervals.append(Interval(day, None, facts))
    return intervals


def facts_on(intervals: Sequence[Interval], day: date) -> Facts | None:
    for interval in intervals:
        if interval.valid_from <= day and (interval.valid_to is None or day < interval.valid_to):
            return interval.facts
    return None
