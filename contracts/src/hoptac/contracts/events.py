"""Integration events of the registry: one envelope, five organisation events.

A breaking change is a new `schema_version` (and a new stream `COOP_ORG_V2`), never an edit in
place; `tests/test_schemas.py` fails when the committed JSON Schema drifts from these models.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import Field, TypeAdapter

from hoptac.contracts.codes import EventName, Status
from hoptac.contracts.organization import ContractModel, OrganizationRecord

SCHEMA_VERSION: Literal[1] = 1
STREAM = "COOP_ORG_V1"
SUBJECT_PREFIX = "coop.v1.org"
REDACTED = "[restricted]"


def subject_for(event: EventName, province_code: str) -> str:
    return f"{SUBJECT_PREFIX}.{event.value}.{province_code}"


class FieldChange(ContractModel):
    """One changed field, by dotted path. Values of restricted fields are `[restricted]`."""

    field: str = Field(examples=["address.commune_code"])
    before: Any = None
    after: Any = None


class ChangeData(ContractModel):
    """What every event carries: the public record after the change and what changed."""

    record: OrganizationRecord
    changed_fields: list[FieldChange]
    effective_date: date = Field(description="The day the change happened in the world.")
    reason: str | None = None


class StatusChangedData(ChangeData):
    previous_status: Status
    status: Status


class MergedData(ChangeData):
    merged_into: UUID = Field(description="The organisation that absorbed this one.")


class EnvelopeBase(ContractModel):
    """What every event carries; each event below narrows `event_type` and `data`, so that code
    holding any event reads both without knowing which one it is."""

    event_id: UUID = Field(description="Unique per event; also the Nats-Msg-Id.")
    event_type: str = Field(examples=["organization.registered"])
    schema_version: Literal[1] = SCHEMA_VERSION
    occurred_at: datetime = Field(description="When it happened in the world.")
    recorded_at: datetime = Field(description="When the registry committed it.")
    sequence: Annotated[int, Field(ge=1)] = Field(
        description="Position in the registry's change log, increasing in commit order."
    )
    organization_id: UUID
    organization_version: Annotated[int, Field(ge=1)]
    actor: str = Field(
        description="Who made the change, as a stable pseudonym (`token:<id>`, `system`): the same "
        "for every change by one writer, naming no one. Staff read names in the registry's history."
    )
    correlation_id: str | None = None
    data: ChangeData


class OrganizationRegistered(EnvelopeBase):
    event_type: Literal["organization.registered"] = "organization.registered"
    data: ChangeData


class OrganizationUpdated(EnvelopeBase):
    event_type: Literal["organization.updated"] = "organization.updated"
    data: ChangeData


class OrganizationStatusChanged(EnvelopeBase):
    event_type: Literal["organization.status_changed"] = "organization.status_changed"
    data: StatusChangedData


class OrganizationMerged(EnvelopeBase):
    event_type: Literal["organization.merged"] = "organization.merged"
    data: MergedData


class OrganizationRemoved(EnvelopeBase):
    """The record was entered by mistake; consumers drop it from every view and count."""

    event_type: Literal["organization.removed"] = "organization.removed"
    data: ChangeData


OrganizationEvent = Annotated[
    OrganizationRegistered
    | OrganizationUpdated
    | OrganizationStatusChanged
    | OrganizationMerged
    | OrganizationRemoved,
    Field(discriminator="event_type"),
]

EVENT_MODELS: dict[EventName, type[EnvelopeBase]] = {
    EventName.REGISTERED: OrganizationRegistered,
    EventName.UPDATED: OrganizationUpdated,
    EventName.STATUS_CHANGED: OrganizationStatusChanged,
    EventName.MERGED: OrganizationMerged,
    EventName.REMOVED: OrganizationRemoved,
}

_event_adapter: TypeAdapter[OrganizationEvent] = TypeAdapter(OrganizationEvent)


def parse_event(raw: bytes | str | Mapping[str, Any]) -> EnvelopeBase:
    """The typed event of a message body (bytes or text) or of a decoded envelope (a mapping,
    e.g. an entry of the registry's change log). Raises pydantic's ValidationError."""
    event: EnvelopeBase = (
        _event_adapter.validate_python(raw)
        if isinstance(raw, Mapping)
        else _event_adapter.validate_json(raw)
    )
    return event
