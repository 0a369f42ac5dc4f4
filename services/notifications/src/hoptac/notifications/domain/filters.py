"""Which events a subscription (or a feed reader) wants: event type, province, kind, sector."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from hoptac.contracts.codes import EventName, Kind, SectorGroup
from hoptac.platform.text import Text, shown

EVENT_TYPES: tuple[str, ...] = tuple(name.event_type for name in EventName)
KINDS: tuple[str, ...] = tuple(kind.value for kind in Kind)
SECTORS: tuple[str, ...] = tuple(group.value for group in SectorGroup)


@dataclass(frozen=True)
class EventFacts:
    """What a filter looks at in one event."""

    event_type: str
    province_code: str
    kind: str
    sector_group: str


@dataclass(frozen=True)
class Problem:
    field: str
    message: Text


@dataclass(frozen=True)
class EventFilter:
    """An empty set means "all"; values within one field are alternatives (OR), fields combine
    with AND."""

    event_types: frozenset[str] = frozenset()
    provinces: frozenset[str] = frozenset()
    kinds: frozenset[str] = frozenset()
    sectors: frozenset[str] = frozenset()

    def matches(self, event: EventFacts) -> bool:
        return (
            _allows(self.event_types, event.event_type)
            and _allows(self.provinces, event.province_code)
            and _allows(self.kinds, event.kind)
            and _allows(self.sectors, event.sector_group)
        )

    def as_lists(self) -> dict[str, list[str]]:
        return {
            "event_types": sorted(self.event_types),
            "provinces": sorted(self.provinces),
            "kinds": sorted(self.kinds),
            "sectors": sorted(self.sectors),
        }


def _allows(wanted: frozenset[str], value: str) -> bool:
    return not wanted or value in wanted


def build_filter(
    event_types: Iterable[str] = (),
    provinces: Iterable[str] = (),
    kinds: Iterable[str] = (),
    sectors: Iterable[str] = (),
    prefix: str = "",
) -> tuple[EventFilter, list[Problem]]:
    """A filter from what a person typed, with every mistake named by its field.

    Event types may be given in full (`organization.updated`) or short (`updated`).
    """
    problems: list[Problem] = []
    types = {_full_event_type(value.strip()) for value in event_types}
    for wrong in sorted(types - set(EVENT_TYPES)):
        unknown = Text(
            "notifications.unknown_event_type", value=shown(wrong), choices=_list(EVENT_TYPES)
        )
        problems.append(Problem(f"{prefix}event_types", unknown))
    wanted_provinces = {value.strip() for value in provinces}
    for wrong in sorted(p for p in wanted_provinces if not (len(p) == 2 and p.isdigit())):
        problems.append(
            Problem(f"{prefix}provinces", Text("notifications.province_code", value=shown(wrong)))
        )
    wanted_kinds = {value.strip() for value in kinds}
    for wrong in sorted(wanted_kinds - set(KINDS)):
        unknown = Text("notifications.unknown_kind", value=shown(wrong), choices=_list(KINDS))
        problems.append(Problem(f"{prefix}kinds", unknown))
    wanted_sectors = {value.strip() for value in sectors}
    for wrong in sorted(wanted_sectors - set(SECTORS)):
        unknown = Text("notifications.unknown_sector", value=shown(wrong), choices=_list(SECTORS))
        problems.append(Problem(f"{prefix}sectors", unknown))
    built = EventFilter(
        frozenset(types),
        frozenset(wanted_provinces),
        frozenset(wanted_kinds),
        frozenset(wanted_sectors),
    )
    return built, problems


def _full_event_type(value: str) -> str:
    return value if "." in value else f"organization.{value}"


def _list(values: Iterable[str]) -> str:
    return ", ".join(values)
