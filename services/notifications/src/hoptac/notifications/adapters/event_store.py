"""Every event of the registry, kept for good, keyed by its `sequence`; the current public record
of each organisation; and the watermark below which the stored log has no holes.

Storing an event, updating the record it carries and fanning it out to subscriptions happen in
one transaction, so a crash never leaves an event stored but undelivered.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from uuid import UUID

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from hoptac.contracts.events import EnvelopeBase, parse_event
from hoptac.platform.consumer import ConflictingEvent


@dataclass(frozen=True)
class StoredEvent:
    sequence: int
    event_id: UUID
    event_type: str
    organization_id: UUID
    organization_version: int
    province_code: str
    commune_code: str | None
    kind: str
    sector_group: str
    recorded_at: datetime
    payload: str
    record: dict[str, Any]
    name: str
    registration_number: str
    status: str
    last_verified_on: str | None


def to_stored(raw: bytes | str | dict[str, Any]) -> StoredEvent:
    """Validate one envelope (a message body or a change-log entry). Raises ValueError."""
    payload = raw if isinstance(raw, str | bytes) else json.dumps(raw, ensure_ascii=False)
    event: EnvelopeBase = parse_event(payload)
    text_payload = payload.decode() if isinstance(payload, bytes) else payload
    record = event.data.record
    return StoredEvent(
        sequence=event.sequence,
        event_id=event.event_id,
        event_type=event.event_type,
        organization_id=event.organization_id,
        organization_version=event.organization_version,
        province_code=record.address.province_code,
        commune_code=record.address.commune_code,
        kind=record.kind.value,
        sector_group=record.sector.group.value,
        recorded_at=event.recorded_at,
        payload=text_payload,
        record=record.model_dump(mode="json"),
        name=record.name,
        registration_number=record.registration_number,
        status=record.status.value,
        last_verified_on=record.last_verified_on.isoformat() if record.last_verified_on else None,
    )


@dataclass(frozen=True)
class StoreResult:
    stored: int  # new events (duplicates are skipped)
    deliveries: int  # delivery rows created
    contiguous_through: int  # every sequence up to this one is stored
    highest: int  # the highest sequence stored

    @property
    def has_gap(self) -> bool:
        return self.highest > self.contiguous_through


INSERT_EVENTS = text("""
INSERT INTO events (sequence, event_id, event_type, organization_id, organization_version,
                    province_code, commune_code, kind, sector_group, recorded_at, payload)
SELECT * FROM unnest(CAST(:sequence AS BIGINT[]), CAST(:event_id AS UUID[]),
                     CAST(:event_type AS TEXT[]), CAST(:organization_id AS UUID[]),
                     CAST(:organization_version AS INTEGER[]), CAST(:province_code AS TEXT[]),
                     CAST(:commune_code AS TEXT[]), CAST(:kind AS TEXT[]),
                     CAST(:sector_group AS TEXT[]), CAST(:recorded_at AS TIMESTAMPTZ[]),
                     CAST(:payload AS TEXT[]))
ON CONFLICT DO NOTHING
RETURNING sequence
""")

UPSERT_ORGANIZATIONS = text("""
INSERT INTO organizations AS o (id, version, sequence, removed, name, registration_number,
                                province_code, commune_code, kind, sector_group, status,
                                last_verified_on, record)
SELECT * FROM unnest(CAST(:id AS UUID[]), CAST(:version AS INTEGER[]),
                     CAST(:sequence AS BIGINT[]), CAST(:removed AS BOOLEAN[]),
                     CAST(:name AS TEXT[]), CAST(:registration_number AS TEXT[]),
                     CAST(:province_code AS TEXT[]), CAST(:commune_code AS TEXT[]),
                     CAST(:kind AS TEXT[]), CAST(:sector_group AS TEXT[]),
                     CAST(:status AS TEXT[]), CAST(:last_verified_on AS DATE[]),
                     CAST(:record AS JSONB[]))
ON CONFLICT (id) DO UPDATE SET
    version = EXCLUDED.version, sequence = EXCLUDED.sequence, removed = EXCLUDED.removed,
    name = EXCLUDED.name, registration_number = EXCLUDED.registration_number,
    province_code = EXCLUDED.province_code, commune_code = EXCLUDED.commune_code,
    kind = EXCLUDED.kind, sector_group = EXCLUDED.sector_group, status = EXCLUDED.status,
    last_verified_on = EXCLUDED.last_verified_on, record = EXCLUDED.record
WHERE o.version < EXCLUDED.version
""")

# A subscription matches when each of its filters is empty or contains the event's value.
MATCHES = """
    s.enabled
    AND (cardinality(s.event_types) = 0 OR e.event_type = ANY (s.event_types))
    AND (cardinality(s.provinces) = 0 OR e.province_code = ANY (s.provinces))
    AND (cardinality(s.kinds) = 0 OR e.kind = ANY (s.kinds))
    AND (cardinality(s.sectors) = 0 OR e.sector_group = ANY (s.sectors))
"""

FAN_OUT = text(f"""
INSERT INTO deliveries (subscription_id, sequence, organization_id, webhook_id)
SELECT s.id, e.sequence, e.organization_id, e.event_id::text
FROM events e JOIN subscriptions s ON e.sequence > s.starts_after AND {MATCHES}
WHERE e.sequence = ANY (CAST(:sequences AS BIGINT[]))
ORDER BY e.sequence
ON CONFLICT (subscription_id, sequence) DO NOTHING
""")

ADVANCE_WATERMARK = text("""
WITH RECURSIVE walk(s) AS (
    SELECT CAST(:through AS BIGINT)
    UNION ALL
    SELECT e.sequence FROM walk JOIN events e ON e.sequence = walk.s + 1
)
SELECT max(s) FROM walk
""")


async def lock_watermark(conn: AsyncConnection) -> int:
    """Serialises writers of the log with subscription changes (see `subscriptions.create`)."""
    through = await conn.scalar(
        text("SELECT contiguous_through FROM feed_state WHERE id = 1 FOR UPDATE")
    )
    return int(through or 0)


async def watermark(conn: AsyncConnection) -> int:
    through = await conn.scalar(text("SELECT contiguous_through FROM feed_state WHERE id = 1"))
    return int(through or 0)


async def store(conn: AsyncConnection, events: Sequence[StoredEvent]) -> StoreResult:
    """Store new events, apply their records, create their deliveries, advance the watermark."""
    through = await lock_watermark(conn)
    fresh = _unique_by_sequence(events)
    inserted: list[int] = []
    if fresh:
        rows = await conn.execute(INSERT_EVENTS, _columns_of_events(fresh))
        inserted = [row.sequence for row in rows]
        stored_now = set(inserted)
        await _refuse_conflicts(conn, [e for e in fresh if e.sequence not in stored_now])
    created = 0
    if inserted:
        kept = [e for e in fresh if e.sequence in set(inserted)]
        await conn.execute(UPSERT_ORGANIZATIONS, _columns_of_records(kept))
        created = (await conn.execute(FAN_OUT, {"sequences": inserted})).rowcount
        advanced = int(await conn.scalar(ADVANCE_WATERMARK, {"through": through}) or through)
        if advanced != through:
            await conn.execute(
                text("UPDATE feed_state SET contiguous_through = :t WHERE id = 1"), {"t": advanced}
            )
            through = advanced
    highest = int(await conn.scalar(text("SELECT coalesce(max(sequence), 0) FROM events")) or 0)
    return StoreResult(len(inserted), created, through, highest)


STORED_AT = text(
    "SELECT sequence, event_id FROM events "
    "WHERE sequence = ANY(CAST(:sequences AS BIGINT[])) OR event_id = ANY(CAST(:ids AS UUID[]))"
)


async def _refuse_conflicts(conn: AsyncConnection, repeated: Sequence[StoredEvent]) -> None:
    """An event not stored anew must be the one stored at its sequence. Another event claiming
    a stored sequence, or a stored event at another sequence, is forged or corrupt: an alarm
    (the consumer dead-letters it), never a silent drop."""
    if not repeated:
        return
    rows = await conn.execute(
        STORED_AT,
        {"sequences": [e.sequence for e in repeated], "ids": [e.event_id for e in repeated]},
    )
    at_sequence = {row.sequence: row.event_id for row in rows}
    for event in repeated:
        held = at_sequence.get(event.sequence)
        if held != event.event_id:
            raise ConflictingEvent(
                f"event {event.event_id} claims sequence {event.sequence}, which holds event "
                f"{held}; is someone publishing events besides the registry's relay?"
            )


def _unique_by_sequence(events: Iterable[StoredEvent]) -> list[StoredEvent]:
    by_sequence = {e.sequence: e for e in events}
    return [by_sequence[s] for s in sorted(by_sequence)]


def _columns_of_events(events: Sequence[StoredEvent]) -> dict[str, list[Any]]:
    return {
        "sequence": [e.sequence for e in events],
        "event_id": [e.event_id for e in events],
        "event_type": [e.event_type for e in events],
        "organization_id": [e.organization_id for e in events],
        "organization_version": [e.organization_version for e in events],
        "province_code": [e.province_code for e in events],
        "commune_code": [e.commune_code for e in events],
        "kind": [e.kind for e in events],
        "sector_group": [e.sector_group for e in events],
        "recorded_at": [e.recorded_at for e in events],
        "payload": [e.payload for e in events],
    }


def _columns_of_records(events: Sequence[StoredEvent]) -> dict[str, list[Any]]:
    """The newest version per organisation in this batch (one row per key for ON CONFLICT)."""
    newest: dict[UUID, StoredEvent] = {}
    for event in events:
        held = newest.get(event.organization_id)
        if held is None or held.organization_version < event.organization_version:
            newest[event.organization_id] = event
    chosen = list(newest.values())
    return {
        "id": [e.organization_id for e in chosen],
        "version": [e.organization_version for e in chosen],
        "sequence": [e.sequence for e in chosen],
        "removed": [e.event_type == "organization.removed" for e in chosen],
        "name": [e.name for e in chosen],
        "registration_number": [e.registration_number for e in chosen],
        "province_code": [e.province_code for e in chosen],
        "commune_code": [e.commune_code for e in chosen],
        "kind": [e.kind for e in chosen],
        "sector_group": [e.sector_group for e in chosen],
        "status": [e.status for e in chosen],
        "last_verified_on": [
            date.fromisoformat(e.last_verified_on) if e.last_verified_on else None for e in chosen
        ],
        "record": [json.dumps(e.record, ensure_ascii=False) for e in chosen],
    }
