"""Organisations, versions and outbox rows in PostgreSQL, inside the caller's transaction."""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from typing import Any
from uuid import UUID

from sqlalchemy import (
    ARRAY,
    ColumnElement,
    String,
    TextClause,
    Uuid,
    and_,
    any_,
    bindparam,
    func,
    insert,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.ext.asyncio import AsyncConnection

from hoptac.contracts.codes import EventName
from hoptac.platform.bulk_writes import (
    copy_rows,
    unnest_insert,
    unnest_values,
    update_rows,
)
from hoptac.platform.json_columns import JsonText, json_text
from hoptac.platform.text import Text, TextError
from hoptac.registry.adapters.tables import audit_log, organization_versions, organizations, outbox
from hoptac.registry.domain.history import Version
from hoptac.registry.domain.names import name_key, registration_key
from hoptac.registry.domain.organization import Organization
from hoptac.registry.domain.record import Change

OUTBOX_CHANNEL = "hoptac_outbox"


@dataclass(frozen=True)
class WriteContext:
    """Who writes, from where and why: stored with every version and audit row.

    `actor` names the writer (a token's name) for staff; events, which leave the registry,
    carry `actor_id`, a stable pseudonym of the same writer.
    """

    actor: str
    source: str
    correlation_id: str | None
    actor_id: str = "system"


@dataclass(frozen=True)
class OutboxEvent:
    event_id: UUID
    event: EventName
    subject: str
    province_code: str
    occurred_at: datetime
    data: JsonText  # as the contract writes it (`outbox.checked`)
    published_size: int  # bytes of the body the relay will publish (`outbox.checked`)


@dataclass(frozen=True)
class VersionRow:
    version: Version
    recorded_at: datetime
    actor: str
    source: str
    correlation_id: str | None


@dataclass(frozen=True)
class ListFilters:
    """Each filter holds the values any of which a record may have; empty: no filter."""

    kind: tuple[str, ...] = ()
    status: tuple[str, ...] = ()
    province: tuple[str, ...] = ()
    commune: tuple[str, ...] = ()  # current commune, or the pre-2025 one of that code
    legacy_commune: tuple[str, ...] = ()
    legacy_district: tuple[str, ...] = ()
    sector_group: tuple[str, ...] = ()
    registration_number: str | None = None
    updated_since: datetime | None = None
    verified_before: date | None = None  # last verified before that day, or never

    def fingerprint(self) -> str:
        """What a cursor remembers of the filters it was made with."""
        canonical = json.dumps(
            {name: sorted(v) if isinstance(v, tuple) else str(v) for name, v in vars(self).items()},
            sort_keys=True,
        )
        return hashlib.sha256(canonical.encode()).hexdigest()[:16]


def _changes_json(changes: tuple[Change, ...]) -> JsonText:
    """The changes as a version and its audit row both store them: written once for the two."""
    return JsonText(
        json_text([{"field": c.field, "before": c.before, "after": c.after} for c in changes])
    )


def _version_from_row(row: Any) -> Version:
    return Version(
        version=row.version,
        event=EventName(row.event),
        effective_date=row.effective_date,
        changes=tuple(Change(c["field"], c["before"], c["after"]) for c in row.changes),
        reason=row.reason,
    )


@dataclass(frozen=True)
class Stored:
    """An organisation as loaded, with when its row last changed."""

    organization: Organization
    updated_at: datetime


async def current_version(conn: AsyncConnection, org_id: UUID) -> Any | None:
    """The organisation's row without its record: `version`, `status`, `removed_at`."""
    query = select(
        organizations.c.version, organizations.c.status, organizations.c.removed_at
    ).where(organizations.c.id == org_id)
    return (await conn.execute(query)).first()


async def load(conn: AsyncConnection, org_id: UUID, *, for_update: bool = False) -> Stored | None:
    query = select(organizations.c.removed_at, organizations.c.updated_at).where(
        organizations.c.id == org_id
    )
    if for_update:
        query = query.with_for_update()
    head = (await conn.execute(query)).first()
    if head is None:
        return None
    rows = await conn.execute(
        select(organization_versions)
        .where(organization_versions.c.organization_id == org_id)
        .order_by(organization_versions.c.version)
    )
    versions = [_version_from_row(row) for row in rows]
    organization = Organization(org_id, versions, removed=head.removed_at is not None)
    return Stored(organization, head.updated_at)


async def load_many(
    conn: AsyncConnection, org_ids: list[UUID], *, for_update: bool = False
) -> dict[UUID, Stored]:
    """`load` of many organisations in two queries; the unknown ones are absent. Rows are
    locked in the order of their ids, so two batches never wait on each other in a circle."""
    query = (
        select(organizations.c.id, organizations.c.removed_at, organizations.c.updated_at)
        .where(organizations.c.id == any_(bindparam("ids", org_ids, ARRAY(Uuid))))
        .order_by(organizations.c.id)
    )
    if for_update:
        query = query.with_for_update()
    heads = (await conn.execute(query)).all()
    versions: dict[UUID, list[Version]] = {head.id: [] for head in heads}
    rows = await conn.execute(
        select(organization_versions)
        .where(
            organization_versions.c.organization_id
            == any_(bindparam("ids", list(versions), ARRAY(Uuid)))
        )
        .order_by(organization_versions.c.organization_id, organization_versions.c.version)
    )
    for row in rows:
        versions[row.organization_id].append(_version_from_row(row))
    return {
        head.id: Stored(
            Organization(head.id, versions[head.id], removed=head.removed_at is not None),
            head.updated_at,
        )
        for head in heads
    }


async def load_with_history(conn: AsyncConnection, org_id: UUID) -> list[VersionRow]:
    """Every version with its metadata; empty for an unknown organisation (each has one)."""
    rows = await conn.execute(
        select(organization_versions)
        .where(organization_versions.c.organization_id == org_id)
        .order_by(organization_versions.c.version)
    )
    return [
        VersionRow(_version_from_row(r), r.recorded_at, r.actor, r.source, r.correlation_id)
        for r in rows
    ]


def _columns(org: Organization, now: datetime) -> dict[str, Any]:
    record = org.record
    address = record["address"]
    return {
        "registration_number": record["registration_number"],
        "registration_key": registration_key(record["registration_number"]),
        "name": record["name"],
        "name_key": name_key(record["name"]),
        "kind": record["kind"],
        "status": record["status"],
        "province_code": address["province_code"],
        "commune_code": address.get("commune_code"),
        "legacy_district_code": (address.get("legacy") or {}).get("district_code"),
        "legacy_commune_code": (address.get("legacy") or {}).get("commune_code"),
        "sector_group": record["sector"]["group"],
        "registered_on": date.fromisoformat(record["registered_on"]),
        "record": record,
        "version": org.version,
        "removed_at": now if org.removed else None,
        "updated_at": now,
    }


def _version_values(
    org: Organization, version: Version, context: WriteContext, now: datetime
) -> dict[str, Any]:
    return {
        "organization_id": org.id,
        "version": version.version,
        "event": version.event.value,
        "effective_date": version.effective_date,
        "recorded_at": now,
        "actor": context.actor,
        "source": context.source,
        "reason": version.reason,
        "correlation_id": context.correlation_id,
        "changes": _changes_json(version.changes),
    }


def _outbox_values(
    org: Organization, version: Version, context: WriteContext, event: OutboxEvent, now: datetime
) -> dict[str, Any]:
    return {
        "event_id": event.event_id,
        "event_type": version.event.event_type,
        "subject": event.subject,
        "organization_id": org.id,
        "organization_version": version.version,
        "province_code": event.province_code,
        "occurred_at": event.occurred_at,
        "recorded_at": now,
        "actor": context.actor_id,
        "correlation_id": context.correlation_id,
        "data": event.data,
    }


def _audit_values(context: WriteContext, action: str, target: str, changes: Any) -> dict[str, Any]:
    return {
        "actor": context.actor,
        "source": context.source,
        "action": action,
        "target": target,
        "diff": changes,
        "correlation_id": context.correlation_id,
    }


async def save(
    conn: AsyncConnection,
    org: Organization,
    version: Version,
    context: WriteContext,
    event: OutboxEvent,
    now: datetime,
) -> None:
    """Store one new version: the current row, the version, its outbox event and the audit row.

    `org` already holds `version` among its versions.
    """
    columns = _columns(org, now)
    if version.version == 1:
        await conn.execute(insert(organizations).values(id=org.id, created_at=now, **columns))
    else:
        await conn.execute(
            update(organizations).where(organizations.c.id == org.id).values(**columns)
        )
    versioned = _version_values(org, version, context, now)
    await conn.execute(insert(organization_versions).values(**versioned))
    await conn.execute(insert(outbox).values(**_outbox_values(org, version, context, event, now)))
    action = f"organization.{version.event.value}"
    await audit(conn, context, action, str(org.id), versioned["changes"])
    await conn.execute(text(f"NOTIFY {OUTBOX_CHANNEL}"))


@dataclass(frozen=True)
class Saved:
    """A new version ready to store: applied to its organisation, its event built (None in a
    dry run that keeps nothing and knows the event fits: `batches._event`)."""

    organization: Organization
    version: Version
    context: WriteContext
    event: OutboxEvent | None


def _built(event: OutboxEvent | None) -> OutboxEvent:
    if event is None:
        raise ValueError("a version is stored only with its event")
    return event


async def save_many(conn: AsyncConnection, saved: list[Saved], now: datetime) -> None:
    """Store many new versions, in order, as `save` stores each: a statement per table for all
    of them (`bulk_writes`; the organisations changed get their last state) and one NOTIFY.

    Raises the database's error when any row breaks a constraint; the caller's savepoint then
    holds none of them.
    """
    if not saved:
        return
    latest = {s.organization.id: s.organization for s in saved}  # the last version of each
    registered = {s.organization.id for s in saved if s.version.version == 1}
    new = [org for org_id, org in latest.items() if org_id in registered]
    changed = [org for org_id, org in latest.items() if org_id not in registered]
    if new:
        await copy_rows(
            conn,
            organizations,
            [{"id": org.id, "created_at": now, **_columns(org, now)} for org in new],
        )
    if changed:
        await update_rows(
            conn, organizations, "id", [{"id": org.id, **_columns(org, now)} for org in changed]
        )
    versions = [_version_values(s.organization, s.version, s.context, now) for s in saved]
    columns = tuple(versions[0])
    await conn.execute(
        _versions_and_their_audit(columns), unnest_values(organization_versions, columns, versions)
    )
    await copy_rows(
        conn,
        outbox,
        [_outbox_values(s.organization, s.version, s.context, _built(s.event), now) for s in saved],
    )
    await conn.execute(text(f"NOTIFY {OUTBOX_CHANNEL}"))


@cache
def _versions_and_their_audit(columns: tuple[str, ...]) -> TextClause:
    """`unnest_insert` of versions, and in the same statement the audit row of each, in the same
    order, as `save` writes it: its changes, the longest part, are sent once for both."""
    versions = unnest_insert(organization_versions, columns).text
    return text(
        f"WITH versions AS ({versions} RETURNING *) "
        "INSERT INTO audit_log (actor, source, action, target, diff, correlation_id) "
        "SELECT actor, source, 'organization.' || event, organization_id::text, changes, "
        "correlation_id FROM versions"
    )


async def audit(
    conn: AsyncConnection, context: WriteContext, action: str, target: str, changes: Any
) -> None:
    await conn.execute(insert(audit_log).values(**_audit_values(context, action, target, changes)))


async def registration_number_owner(conn: AsyncConnection, number: str) -> UUID | None:
    owner: UUID | None = await conn.scalar(
        select(organizations.c.id).where(
            organizations.c.registration_key == registration_key(number),
            organizations.c.removed_at.is_(None),
        )
    )
    return owner


async def registration_owners(conn: AsyncConnection, numbers: list[str]) -> dict[str, UUID]:
    """The organisation holding each of these numbers, by registration key, in one query."""
    keys = sorted({registration_key(number) for number in numbers})
    rows = await conn.execute(
        select(organizations.c.registration_key, organizations.c.id).where(
            organizations.c.registration_key == any_(bindparam("keys", keys, ARRAY(String))),
            organizations.c.removed_at.is_(None),
        )
    )
    return {row.registration_key: row.id for row in rows}


def _similar(row: Any) -> dict[str, Any]:
    return {
        "id": str(row.id),
        "name": row.name,
        "registration_number": row.registration_number,
        "similarity": round(float(row.similarity), 2),
    }


async def similar_names(
    conn: AsyncConnection, name: str, province_code: str, exclude: UUID | None, threshold: float
) -> list[dict[str, Any]]:
    key = name_key(name)
    score = func.similarity(organizations.c.name_key, key)
    query = (
        select(organizations.c.id, organizations.c.name, organizations.c.registration_number, score)
        .where(
            organizations.c.province_code == province_code,
            organizations.c.removed_at.is_(None),
            organizations.c.name_key.op("%")(key),
            score >= threshold,
        )
        .order_by(score.desc())
        .limit(5)
    )
    if exclude is not None:
        query = query.where(organizations.c.id != exclude)
    return [_similar(row) for row in await conn.execute(query)]


@dataclass(frozen=True)
class NewName:
    """A name about to be registered, for `similar_names_of_new`."""

    id: UUID
    name: str
    registration_number: str
    province_code: str


# For each new name, in one statement, what `similar_names` would find had the new ones been
# stored one after the other: the stored names of its province and the new names before it.
# `OFFSET 0` keeps the earlier new names of the province picked before any similarity is
# computed.
_SIMILAR_TO_NEW = text(
    """
    WITH new AS (
        SELECT * FROM unnest(
            CAST(:ids AS uuid[]), CAST(:names AS text[]), CAST(:numbers AS text[]),
            CAST(:keys AS text[]), CAST(:provinces AS text[])
        ) WITH ORDINALITY AS new(id, name, registration_number, name_key, province_code, position)
    )
    SELECT new.position, found.id, found.name, found.registration_number, found.similarity
    FROM new CROSS JOIN LATERAL (
        SELECT * FROM (
            SELECT o.id, o.name, o.registration_number,
                   similarity(o.name_key, new.name_key) AS similarity
            FROM organizations o
            WHERE o.province_code = new.province_code AND o.removed_at IS NULL
              AND o.name_key % new.name_key
            UNION ALL
            SELECT earlier.id, earlier.name, earlier.registration_number,
                   similarity(earlier.name_key, new.name_key)
            FROM (
                SELECT * FROM new AS earlier
                WHERE earlier.position < new.position
                  AND earlier.province_code = new.province_code
                OFFSET 0
            ) earlier
            WHERE earlier.name_key % new.name_key
        ) candidates
        WHERE candidates.similarity >= :threshold
        ORDER BY candidates.similarity DESC
        LIMIT 5
    ) found
    ORDER BY new.position, found.similarity DESC
    """
)


async def similar_names_of_new(
    conn: AsyncConnection, new: list[NewName], threshold: float
) -> list[list[dict[str, Any]]]:
    """`similar_names` of each new name, in order, before any of them is stored."""
    found: list[list[dict[str, Any]]] = [[] for _ in new]
    if not new:
        return found
    rows = await conn.execute(
        _SIMILAR_TO_NEW,
        {
            "ids": [n.id for n in new],
            "names": [n.name for n in new],
            "numbers": [n.registration_number for n in new],
            "keys": [name_key(n.name) for n in new],
            "provinces": [n.province_code for n in new],
            "threshold": threshold,
        },
    )
    for row in rows:
        found[row.position - 1].append(_similar(row))
    return found


async def prune_similar_names(conn: AsyncConnection, threshold: float) -> None:
    """Let the trigram index skip, for the rest of this transaction, the names too far from
    the one sought to reach `threshold`: `%` then keeps only what the threshold keeps anyway,
    and a batch of names that all look alike stops costing a comparison with every stored one.
    Until pg_trgm is loaded in the session the setting is a placeholder, which reads as empty
    (not NULL) once a transaction that set it has ended."""
    await conn.execute(
        text(
            "SELECT set_config('pg_trgm.similarity_threshold', greatest(coalesce(nullif("
            "current_setting('pg_trgm.similarity_threshold', true), ''), '0.3')::float, "
            ":threshold)::text, true)"
        ),
        {"threshold": threshold},
    )


def encode_cursor(last_id: UUID, filters: ListFilters) -> str:
    body = {"after": str(last_id), "filters": filters.fingerprint()}
    return base64.urlsafe_b64encode(json.dumps(body).encode()).decode()


def decode_cursor(cursor: str, filters: ListFilters) -> UUID:
    """Raises ValueError on anything that is not a cursor this service gave out for these
    filters: one made for other filters would page through another list."""
    try:
        decoded = json.loads(base64.urlsafe_b64decode(cursor.encode()))
        if not isinstance(decoded, dict) or not isinstance(decoded.get("after"), str):
            raise ValueError(cursor)
        after = UUID(decoded["after"])
    except ValueError as error:  # binascii, Unicode and JSON errors are ValueErrors too
        raise TextError(Text("registry.cursor_unknown")) from error
    if decoded.get("filters") != filters.fingerprint():
        raise TextError(Text("registry.cursor_other_filters"))
    return after


async def list_page(
    conn: AsyncConnection, filters: ListFilters, after: UUID | None, limit: int
) -> tuple[list[Any], UUID | None]:
    """One page of current rows (id, record, version, updated_at) and the id to continue after."""
    c = organizations.c
    conditions: list[ColumnElement[bool]] = [c.removed_at.is_(None)]
    for column, values in (
        (c.kind, filters.kind),
        (c.status, filters.status),
        (c.province_code, filters.province),
        (c.legacy_commune_code, filters.legacy_commune),
        (c.legacy_district_code, filters.legacy_district),
        (c.sector_group, filters.sector_group),
    ):
        if values:
            conditions.append(column.in_(values))
    if filters.commune:
        conditions.append(
            or_(c.commune_code.in_(filters.commune), c.legacy_commune_code.in_(filters.commune))
        )
    if filters.registration_number is not None:
        conditions.append(c.registration_key == registration_key(filters.registration_number))
    if filters.updated_since is not None:
        conditions.append(c.updated_at >= filters.updated_since)
    if filters.verified_before is not None:
        verified = c.record["last_verified_on"].astext  # ISO dates compare as text
        conditions.append(or_(verified.is_(None), verified < filters.verified_before.isoformat()))
    if after is not None:
        conditions.append(c.id > after)
    rows = (
        await conn.execute(
            select(c.id, c.record, c.version, c.updated_at)
            .where(and_(*conditions))
            .order_by(c.id)
            .limit(limit + 1)
        )
    ).all()
    page = rows[:limit]
    next_after = page[-1].id if len(rows) > limit else None
    return list(page), next_after
