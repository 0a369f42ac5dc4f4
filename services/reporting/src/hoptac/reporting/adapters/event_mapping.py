"""From a registry event (contracts/ envelope) to the version the projection stores."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from pydantic import ValidationError

from hoptac.contracts.organization import OrganizationRecord
from hoptac.contracts.plain import event_values
from hoptac.reporting.adapters import plain_events
from hoptac.reporting.domain.history import COUNTED, REGISTERED, Record, Version, is_counted

# The record's fields statistics read, and the parents of counted nested fields: what the
# fallback timeline needs (an organisation whose registration has not arrived), no more. Only
# these are turned into plain values: the rest of a record was most of that work.
COUNTED_PART = {
    name
    for name in OrganizationRecord.model_fields
    if is_counted(name) or name in ("address", "sector", "digital")
}


class NotAnEvent(ValueError):
    """The message is not a valid organisation event of schema version 1."""


@dataclass(frozen=True)
class IncomingEvent:
    organization_id: UUID
    version: Version
    sequence: int
    recorded_at: datetime
    # The public record after the change, its `COUNTED_PART` only; None for the registration
    # (version 1), since an organisation whose registration is held never needs it
    # (adapters/projection.py), and most events of a burst are registrations.
    record: Record | None


def _incoming(event: dict[str, Any]) -> IncomingEvent:
    data = event["data"]
    kind = event["event_type"].removeprefix("organization.")
    registration = kind == REGISTERED and event["organization_version"] == 1
    changes = tuple(
        [
            (field, change["after"])
            for change in data["changed_fields"]
            if COUNTED[field := change["field"]]
        ]
    )
    return IncomingEvent(
        organization_id=event["organization_id"],
        version=Version(
            version=event["organization_version"],
            event=kind,
            effective_date=data["effective_date"],
            changes=changes,
        ),
        sequence=event["sequence"],
        recorded_at=event["recorded_at"],
        record=None
        if registration
        else plain_events.RECORD.to_python(data["record"], mode="json", include=COUNTED_PART),
    )


def _read(raw: bytes | Mapping[str, Any]) -> IncomingEvent:
    """Checked as the contract checks it, into plain values (`hoptac.contracts.plain`)."""
    try:
        return _incoming(event_values(raw))
    except ValidationError as error:
        raise NotAnEvent(_summary(error)) from error


def from_message(body: bytes) -> IncomingEvent:
    return _read(body)


def from_envelope(envelope: dict[str, Any]) -> IncomingEvent:
    """An event as `GET /v1/changes` returns it."""
    return _read(envelope)


def _summary(error: ValidationError) -> str:
    problems = error.errors()[:3]
    return "; ".join(
        f"{'.'.join(str(p) for p in e.get('loc', ())) or 'body'}: {e.get('msg')}" for e in problems
    )
