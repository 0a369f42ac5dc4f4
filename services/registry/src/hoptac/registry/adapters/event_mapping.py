"""From a domain version to the integration event the outbox stores (contracts/ shape)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any
from uuid import UUID, uuid4

import orjson

from hoptac.contracts.codes import EventName
from hoptac.contracts.events import subject_for
from hoptac.contracts.vietnam_time import VIETNAM
from hoptac.registry.adapters import outbox
from hoptac.registry.adapters.repository import OutboxEvent, WriteContext
from hoptac.registry.domain.history import Version
from hoptac.registry.domain.record import Record, public_view, redact


def occurred_at(effective: date, now: datetime) -> datetime:
    """Today's changes happened now; a change dated earlier happened at the start of its day."""
    if effective >= now.astimezone(VIETNAM).date():
        return now
    return datetime.combine(effective, time(0), tzinfo=VIETNAM).astimezone(UTC)


def event_data(
    org_id: UUID, record: Record, version: Version, before: Record, now: datetime
) -> dict[str, Any]:
    """The event's data as plain values, in the shape of the contract's models (which
    `outbox.checked` applies to it): the public record after the change and what changed."""
    data: dict[str, Any] = {
        "record": {
            **public_view(record),
            "id": org_id,
            "version": version.version,
            "updated_at": now,
        },
        "changed_fields": [
            {"field": c.field, "before": c.before, "after": c.after}
            for c in redact(version.changes)
        ],
        "effective_date": version.effective_date,
        "reason": version.reason,
    }
    if version.event == EventName.STATUS_CHANGED:
        data["previous_status"] = before["status"]
        data["status"] = record["status"]
    elif version.event == EventName.MERGED:
        data["merged_into"] = record["merged_into"]
    return data


def outbox_event(
    org_id: UUID,
    record: Record,
    version: Version,
    before: Record,
    context: WriteContext,
    now: datetime,
) -> OutboxEvent:
    """The event of `version`, checked against its contract and sized as it will be published."""
    event_id = uuid4()
    occurred = occurred_at(version.effective_date, now)
    data, size = outbox.checked(
        version.event,
        event_id,
        occurred,
        org_id,
        version.version,
        context,
        now,
        event_data(org_id, record, version, before, now),
    )
    province = record["address"]["province_code"]
    return OutboxEvent(
        event_id=event_id,
        event=version.event,
        subject=subject_for(version.event, province),
        province_code=province,
        occurred_at=occurred,
        data=data,
        published_size=size,
    )


# What an event holds besides its record and changes, at most: the envelope (ids, type, times,
# sequence), the record's id, version and time of change, the fields the contract gives with
# their defaults when the record leaves them out, and the JSON around each part.
_ALLOWANCE = 16 * 1024
_PER_CHANGE = 100  # a change's dotted path and the JSON around its values


def _json_bytes(value: Any) -> int:
    return len(orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS))


def surely_fits(
    record: Record, version: Version, before: Record, context: WriteContext, limit: int
) -> bool:
    """Whether the event of `version` is within `limit` bytes for certain, judged without
    building it: the event holds the public record after the change once, and each change's
    values, which together are at most the records before and after. A dry run that keeps
    nothing needs only the answer; when this is not certain, the event is built and measured."""
    bound = (
        2 * _json_bytes(record)
        + _json_bytes(before)
        + _PER_CHANGE * len(version.changes)
        + _json_bytes(version.reason)
        + _json_bytes(context.correlation_id)
        + _json_bytes(context.actor_id)
        + _ALLOWANCE
    )
    return bound <= limit
