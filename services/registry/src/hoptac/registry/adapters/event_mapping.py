"""From a domain version to the integration event the outbox stores (contracts/ shape)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any
from uuid import UUID, uuid4

from hoptac.contracts.codes import EventName
from hoptac.contracts.events import (
    ChangeData,
    FieldChange,
    MergedData,
    StatusChangedData,
    subject_for,
)
from hoptac.contracts.organization import OrganizationRecord
from hoptac.contracts.vietnam_time import VIETNAM
from hoptac.registry.adapters.repository import OutboxEvent
from hoptac.registry.domain.history import Version
from hoptac.registry.domain.record import Record, public_view, redact


def public_record(
    org_id: UUID, record: Record, version: int, updated_at: datetime
) -> OrganizationRecord:
    return OrganizationRecord.model_validate(
        {**public_view(record), "id": org_id, "version": version, "updated_at": updated_at}
    )


def occurred_at(effective: date, now: datetime) -> datetime:
    """Today's changes happened now; a change dated earlier happened at the start of its day."""
    if effective >= now.astimezone(VIETNAM).date():
        return now
    return datetime.combine(effective, time(0), tzinfo=VIETNAM).astimezone(UTC)


def outbox_event(
    org_id: UUID, record: Record, version: Version, before: Record, now: datetime
) -> OutboxEvent:
    common: dict[str, Any] = {
        "record": public_record(org_id, record, version.version, now),
        "changed_fields": [
            FieldChange(field=c.field, before=c.before, after=c.after)
            for c in redact(version.changes)
        ],
        "effective_date": version.effective_date,
        "reason": version.reason,
    }
    data: ChangeData
    if version.event == EventName.STATUS_CHANGED:
        data = StatusChangedData(
            **common, previous_status=before["status"], status=record["status"]
        )
    elif version.event == EventName.MERGED:
        data = MergedData(**common, merged_into=record["merged_into"])
    else:
        data = ChangeData(**common)
    province = record["address"]["province_code"]
    return OutboxEvent(
        event_id=uuid4(),
        event=version.event,
        subject=subject_for(version.event, province),
        province_code=province,
        occurred_at=occurred_at(version.effective_date, now),
        data=data.model_dump(mode="json"),
    )
