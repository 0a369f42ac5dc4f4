"""A profile's history from the registry's versions: the status timeline and the public changes.

The registry shows an anonymous caller every version, with restricted fields marked as changed
but without their values; those stay out of the public list of changes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from hoptac.contracts.events import REDACTED

STATUS_FIELDS = ("status",)
# Housekeeping fields every change touches; they say nothing a reader needs.
QUIET_FIELDS = frozenset({"version", "updated_at", "status_since"})


@dataclass(frozen=True)
class StatusStep:
    status: str
    since: str  # ISO date the status took effect
    reason: str | None


@dataclass(frozen=True)
class FieldChange:
    field: str
    before: Any
    after: Any


@dataclass(frozen=True)
class PublicChange:
    version: int
    event_type: str
    effective_date: str
    recorded_at: str
    changes: tuple[FieldChange, ...]


def status_timeline(versions: Sequence[Mapping[str, Any]]) -> list[StatusStep]:
    """Each status the organisation has had, oldest first, with the day it took effect."""
    steps: list[StatusStep] = []
    for version in sorted(versions, key=lambda v: int(v["version"])):
        for change in version.get("changes", []):
            if change.get("field") in STATUS_FIELDS and change.get("after") is not None:
                steps.append(
                    StatusStep(str(change["after"]), version["effective_date"], version["reason"])
                )
    return sorted(steps, key=lambda step: step.since)


def public_changes(versions: Sequence[Mapping[str, Any]]) -> list[PublicChange]:
    """Every version, newest first, with its changes to public fields only."""
    result = []
    for version in sorted(versions, key=lambda v: int(v["version"]), reverse=True):
        changes = tuple(
            FieldChange(c["field"], c.get("before"), c.get("after"))
            for c in version.get("changes", [])
            if c.get("field") not in QUIET_FIELDS
            and REDACTED not in (c.get("before"), c.get("after"))
        )
        result.append(
            PublicChange(
                int(version["version"]),
                str(version["event_type"]),
                str(version["effective_date"]),
                str(version["recorded_at"]),
                changes,
            )
        )
    return result
