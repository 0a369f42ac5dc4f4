"""The recount check: the registry's records against the projection, one organisation at a time."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from hoptac.reporting.domain.facts import Facts, facts_of

MISSING = "(not counted)"


@dataclass(frozen=True)
class Difference:
    organization_id: str
    field: str
    registry: Any
    projection: Any

    def __str__(self) -> str:
        return (
            f"{self.organization_id}  {self.field}: registry {self.registry!r}, "
            f"projection {self.projection!r}"
        )


def differences(
    registry: Mapping[str, Mapping[str, Any]],
    projection: Mapping[str, Facts],
    day: date | None = None,
) -> list[Difference]:
    """Every counted field that differs on `day`; an organisation on one side only is one
    difference."""
    found: list[Difference] = []
    for org_id in sorted(registry.keys() | projection.keys()):
        record = registry.get(org_id)
        expected = facts_of(dict(record), day).as_row() if record is not None else None
        counted = projection[org_id].as_row() if org_id in projection else None
        if expected is None or counted is None:
            found.append(
                Difference(
                    org_id,
                    "organisation",
                    "present" if expected is not None else MISSING,
                    "present" if counted is not None else MISSING,
                )
            )
            continue
        for field in expected:
            if expected[field] != counted[field]:
                found.append(Difference(org_id, field, expected[field], counted[field]))
    return found
