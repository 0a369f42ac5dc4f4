"""Writes of the projection: store received versions and recompute the touched timelines.

`apply` runs inside the caller's transaction, so the versions it records (what was applied) and
their effect on the timeline commit together or not at all. Each step is one statement whatever
the batch size: rows travel as one JSON array expanded by `jsonb_to_recordset`, and the timeline's
by binary COPY.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from operator import itemgetter
from typing import Any
from uuid import UUID

import orjson
from sqlalchemy import Table, text
from sqlalchemy.dialects import postgresql
from sqlalchemy.ext.asyncio import AsyncConnection

from hoptac.platform.consumer import ConflictingEvent
from hoptac.platform.driver import asyncpg_connection
from hoptac.platform.tracking import Tracking
from hoptac.reporting.adapters import codes
from hoptac.reporting.adapters.event_mapping import IncomingEvent
from hoptac.reporting.adapters.tables import organizations, timeline, versions
from hoptac.reporting.domain.facts import Interval
from hoptac.reporting.domain.facts import timeline as fold_timeline
from hoptac.reporting.domain.history import REGISTERED, REMOVED, Version

_DIALECT = postgresql.dialect()  # type: ignore[no-untyped-call]


def _record_type(table: Table, names: Sequence[str]) -> str:
    """`x(name type, …)`: the shape `jsonb_to_recordset` expands each JSON object into."""
    columns = ", ".join(f"{name} {table.c[name].type.compile(dialect=_DIALECT)}" for name in names)
    return f"x({columns})"


def _json(rows: list[dict[str, Any]]) -> str:
    """The rows as one JSON array, UUIDs, dates and times in their ISO forms. With orjson: the
    standard library's encoder was a sixth of the projection's Python time per event in a burst.
    The two differ only where orjson refuses an integer beyond 64 bits or writes NaN as null,
    and neither reaches here: the registry writes its events with orjson too."""
    return orjson.dumps(rows, default=_uuid_text).decode()


def _uuid_text(value: Any) -> str:
    """asyncpg's own UUID type (ids read back), which orjson does not take for a UUID."""
    if isinstance(value, UUID):
        return str(value)
    raise TypeError(f"cannot store {value!r}")


_VERSION_COLUMNS = [c.name for c in versions.c]
_STORE_VERSIONS = text(
    f"INSERT INTO versions ({', '.join(_VERSION_COLUMNS)}) "
    f"SELECT {', '.join(_VERSION_COLUMNS)} "
    f"FROM jsonb_to_recordset(CAST(:rows AS jsonb)) AS {_record_type(versions, _VERSION_COLUMNS)} "
    "ON CONFLICT DO NOTHING RETURNING organization_id, version"
)
_ORG_COLUMNS = ["organization_id", "version", "record", "removed", "recorded_at"]
# Every organisation a batch touches is counted by it: `counted_at` is written here, by the one
# statement that writes its row anyway, instead of by a second UPDATE of the same rows (which
# cost PostgreSQL a third of this statement's time again, and a second row version each).
_UPSERT_ORGANIZATIONS = text(
    f"INSERT INTO organizations AS o ({', '.join(_ORG_COLUMNS)}, counted_at) "
    f"SELECT {', '.join(_ORG_COLUMNS)}, clock_timestamp() "
    f"FROM jsonb_to_recordset(CAST(:rows AS jsonb)) AS {_record_type(organizations, _ORG_COLUMNS)} "
    "ORDER BY organization_id "  # a fixed lock order: two consumers never deadlock
    "ON CONFLICT (organization_id) DO UPDATE SET "
    "version = greatest(o.version, excluded.version), "
    # The record is the fallback of an organisation whose registration is not held: null once
    # the registration is (a registration brings none), the newest version's otherwise.
    "record = CASE WHEN excluded.record IS NULL THEN NULL "
    "WHEN excluded.version > o.version THEN excluded.record ELSE o.record END, "
    "recorded_at = CASE WHEN excluded.version > o.version "
    "THEN excluded.recorded_at ELSE o.recorded_at END, "
    "removed = o.removed OR excluded.removed, "
    "counted_at = excluded.counted_at "
    "RETURNING organization_id, (xmax = 0) AS inserted"
)
_APPLIED = text(
    "SELECT organization_id, version, sequence FROM versions "
    "WHERE sequence = ANY(CAST(:sequences AS BIGINT[])) "
    "OR organization_id = ANY(CAST(:ids AS UUID[]))"
)
_HELD_VERSIONS = text(
    "SELECT organization_id, version, event, effective_date, changes FROM versions "
    "WHERE organization_id = ANY(CAST(:ids AS uuid[]))"
)
_LATEST_RECORDS = text(
    "SELECT organization_id, record FROM organizations "
    "WHERE organization_id = ANY(CAST(:ids AS uuid[]))"
)
_DROP_TIMELINES = text("DELETE FROM timeline WHERE organization_id = ANY(CAST(:ids AS uuid[]))")
# The timeline rows go in by binary COPY (every touched organisation's rows were deleted first,
# so there is no conflict to handle): PostgreSQL spent about 2.5 times as long inserting them from
# JSON, parsed and then each field converted from its text. `valid_to` last, so that a row's
# other values are taken from its dict in one call.
_COPIED_COLUMNS = (*(c.name for c in timeline.c if c.name != "valid_to"), "valid_to")
_copied_values = itemgetter(*_COPIED_COLUMNS[:-1])
# Last, after every organisation row is locked in order: a fixed lock order, no deadlock.
_BUMP_GENERATION = text(
    "UPDATE projection_state SET generation = generation + 1 WHERE id = 1 RETURNING generation"
)


@dataclass(frozen=True)
class Applied:
    """What one `apply` changed: the events that were new; unless none was, the generation it
    made and the whole timeline of every organisation they touched, as inserted (the delta the
    in-memory copy is patched with: it holds exactly what the transaction leaves in `timeline`,
    since every touched organisation's rows are deleted and inserted again)."""

    new: list[IncomingEvent] = field(default_factory=list)
    generation: int | None = None
    timelines: list[dict[str, Any]] = field(default_factory=list)


def _version_row(event: IncomingEvent) -> dict[str, Any]:
    return {
        "organization_id": event.organization_id,
        "version": event.version.version,
        "event": event.version.event,
        "effective_date": event.version.effective_date,
        "changes": dict(event.version.changes),  # paths are unique within a version
        "sequence": event.sequence,
        "recorded_at": event.recorded_at,
    }


def _newest_per_organization(events: list[IncomingEvent]) -> list[dict[str, Any]]:
    newest: dict[UUID, IncomingEvent] = {}
    removed: set[UUID] = set()
    registered: set[UUID] = set()
    for event in events:
        held = newest.get(event.organization_id)
        if held is None or event.version.version > held.version.version:
            newest[event.organization_id] = event
        if event.version.event == REMOVED:
            removed.add(event.organization_id)
        if event.record is None:  # its registration: no fallback record is needed any more
            registered.add(event.organization_id)
    return [
        {
            "organization_id": org_id,
            "version": event.version.version,
            "record": None if org_id in registered else event.record,
            "removed": org_id in removed,
            "recorded_at": event.recorded_at,
        }
        for org_id, event in newest.items()
    ]


def _timeline_rows(org_id: UUID, intervals: list[Interval]) -> list[dict[str, Any]]:
    return [
        {
            "organization_id": org_id,
            "valid_from": interval.valid_from,
            "valid_to": interval.valid_to or "infinity",
            **codes.encode(interval.facts.as_row()),
        }
        for interval in intervals
    ]


async def _copy_timelines(conn: AsyncConnection, rows: list[dict[str, Any]]) -> None:
    """Into `timeline`, in the caller's transaction (the same connection)."""
    driver = await asyncpg_connection(conn)
    records = [
        (*_copied_values(row), date.max if row["valid_to"] == "infinity" else row["valid_to"])
        for row in rows
    ]  # asyncpg writes date.max as 'infinity'
    await driver.copy_records_to_table("timeline", records=records, columns=_COPIED_COLUMNS)


async def _held(conn: AsyncConnection, ids: list[str]) -> dict[UUID, list[Version]]:
    held: dict[UUID, list[Version]] = defaultdict(list)
    for row in await conn.execute(_HELD_VERSIONS, {"ids": ids}):
        changes = tuple(row.changes.items())
        held[row.organization_id].append(
            Version(row.version, row.event, row.effective_date, changes)
        )
    return held


async def _refuse_conflicts(conn: AsyncConnection, repeated: list[IncomingEvent]) -> None:
    """An event not stored anew must be one already applied: the same organisation and version
    at the same sequence. Anything else is a second event claiming a place already taken."""
    if not repeated:
        return
    rows = await conn.execute(
        _APPLIED,
        {
            "sequences": [e.sequence for e in repeated],
            "ids": sorted({str(e.organization_id) for e in repeated}),
        },
    )
    at_sequence, sequence_of = {}, {}
    for row in rows:
        at_sequence[row.sequence] = (row.organization_id, row.version)
        sequence_of[(row.organization_id, row.version)] = row.sequence
    for event in repeated:
        place = (event.organization_id, event.version.version)
        if at_sequence.get(event.sequence) != place or sequence_of.get(place) != event.sequence:
            raise ConflictingEvent(
                f"sequence {event.sequence} ({event.organization_id} v{event.version.version}) "
                f"conflicts with what was applied: sequence {sequence_of.get(place)} holds that "
                f"version, and sequence {event.sequence} holds {at_sequence.get(event.sequence)}"
            )


async def apply(conn: AsyncConnection, events: list[IncomingEvent]) -> Applied:
    """Apply events in any order, duplicates included; says what was new and what it made."""
    unique = {(e.organization_id, e.version.version): e for e in events}
    if not unique:
        return Applied()
    stored = await conn.execute(
        _STORE_VERSIONS, {"rows": _json([_version_row(e) for e in unique.values()])}
    )
    stored_keys = [(row.organization_id, row.version) for row in stored]
    new = [unique[key] for key in stored_keys]
    fresh = set(stored_keys)
    await _refuse_conflicts(conn, [e for key, e in unique.items() if key not in fresh])
    if not new:
        return Applied()
    upserted = await conn.execute(
        _UPSERT_ORGANIZATIONS, {"rows": _json(_newest_per_organization(new))}
    )
    first_seen = {row.organization_id for row in upserted if row.inserted}
    # Organisations seen for the first time have only this batch's versions; others may hold
    # more, stored earlier: read them all back (the row lock taken above keeps them still).
    held: dict[UUID, list[Version]] = defaultdict(list)
    for event in new:
        if event.organization_id in first_seen:
            held[event.organization_id].append(event.version)
    known = sorted(str(e.organization_id) for e in new if e.organization_id not in first_seen)
    known = list(dict.fromkeys(known))
    if known:
        held.update(await _held(conn, known))
    without_registration = [
        str(org_id)
        for org_id, versions_ in held.items()
        if not any(v.version == 1 and v.event == REGISTERED for v in versions_)
    ]
    latest: dict[UUID, dict[str, Any]] = {}
    if without_registration:
        result = await conn.execute(_LATEST_RECORDS, {"ids": without_registration})
        latest = {row.organization_id: row.record for row in result}
    rows: list[dict[str, Any]] = []
    for org_id, versions_ in held.items():
        rows.extend(_timeline_rows(org_id, fold_timeline(versions_, latest.get(org_id))))
    if known:
        await conn.execute(_DROP_TIMELINES, {"ids": known})
    if rows:
        await _copy_timelines(conn, rows)
    generation = int((await conn.execute(_BUMP_GENERATION)).scalar_one())
    return Applied(new, generation, rows)


async def clear(conn: AsyncConnection) -> None:
    """Empty the projection (before a rebuild from the change log)."""
    await conn.execute(text("TRUNCATE versions, organizations, timeline"))
    await conn.execute(_BUMP_GENERATION)


_CONTIGUOUS_THROUGH = text("""
WITH RECURSIVE walk(s) AS (
    SELECT CAST(:since AS BIGINT)
    UNION ALL
    SELECT v.sequence FROM walk JOIN versions v ON v.sequence = walk.s + 1
)
SELECT max(s) FROM walk
""")


async def tracking(conn: AsyncConnection, since: int = 0) -> Tracking:
    """Which change-log sequences the projection holds (every version row carries its own),
    walking on from `since`, a sequence up to which it held them all before. Other instances
    on the same durable apply what this one does not see, so this is read again, not only
    followed in memory."""
    through = int(await conn.scalar(_CONTIGUOUS_THROUGH, {"since": since}) or since)
    beyond = await conn.scalars(
        text("SELECT sequence FROM versions WHERE sequence > :through"), {"through": through}
    )
    return Tracking(through).with_applied(beyond)
