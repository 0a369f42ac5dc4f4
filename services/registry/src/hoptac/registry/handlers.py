"""Use cases of the registry: each loads what it needs, asks the domain, and commits one version
together with its outbox event in a single transaction."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from uuid import UUID, uuid4

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from hoptac.contracts.codes import Status
from hoptac.contracts.vietnam_time import vietnam_day
from hoptac.platform.text import Quantity, Text, shown
from hoptac.registry.adapters import repository
from hoptac.registry.adapters.event_mapping import outbox_event
from hoptac.registry.adapters.repository import ListFilters, Stored, VersionRow, WriteContext
from hoptac.registry.clock import Clock
from hoptac.registry.domain import organization as domain
from hoptac.registry.domain.access import (
    Principal,
    require_area,
    require_reviewer,
    require_writer,
)
from hoptac.registry.domain.areas import legacy_disagreement, split_candidates
from hoptac.registry.domain.errors import (
    DuplicateRegistration,
    EventTooLarge,
    NotFound,
    Removed,
)
from hoptac.registry.domain.history import Version, current_record
from hoptac.registry.domain.organization import Organization
from hoptac.registry.domain.record import Record, public_view, redact
from hoptac.registry.domain.validation import ReferenceData


@dataclass(frozen=True)
class View:
    """One organisation as the caller may see it."""

    body: dict[str, Any]
    version: int
    warnings: list[dict[str, Any]] = field(default_factory=list)


def present(
    org_id: UUID, record: Record, version: int, updated_at: datetime, viewer: Principal
) -> dict[str, Any]:
    visible = record if viewer.sees_restricted_of(record) else public_view(record)
    return {"id": str(org_id), **visible, "version": version, "updated_at": updated_at.isoformat()}


def similar_name_warning(similar: list[dict[str, Any]]) -> list[dict[str, Any]]:
    if not similar:
        return []
    names = "; ".join(f"{s['name']} ({s['registration_number']})" for s in similar)
    return [
        {
            "code": "similar_name",
            "message": f"the name is confusingly similar to: {names}; is it a duplicate?",
            "similar": similar,
        }
    ]


@dataclass(frozen=True)
class Page:
    items: list[dict[str, Any]]
    next_cursor: str | None
    restricted_shown: int  # how many items carry restricted fields


@dataclass(frozen=True)
class Modification:
    """A change to one existing organisation, as data: which one, at which version, by whom,
    and what the domain decides once it is loaded (None: nothing changes)."""

    org_id: UUID
    expected_version: int | None
    principal: Principal
    context: WriteContext
    decide: Callable[[AsyncConnection, Organization], Awaitable[Version | None]]


def number_owned(record: Record, owner: UUID) -> DuplicateRegistration:
    return DuplicateRegistration(
        Text(
            "registry.registration_number_owned",
            number=shown(record["registration_number"]),
            owner=owner,
        )
    )


class Registry:
    def __init__(
        self,
        engine: AsyncEngine,
        reference: ReferenceData,
        clock: Clock,
        similar_name_threshold: float = 0.6,
        max_event_bytes: int = 512 * 1024,
    ) -> None:
        self.engine = engine
        # Reads outside a transaction: at READ COMMITTED every statement takes its own snapshot
        # anyway, so the BEGIN and ROLLBACK around a read were two round trips that bought
        # nothing (a fifth of the registry's CPU per profile the portal shows).
        self.reads = engine.execution_options(isolation_level="AUTOCOMMIT")
        self.reference = reference
        self.clock = clock
        self.similar_name_threshold = similar_name_threshold
        self.max_event_bytes = max_event_bytes

    def today(self) -> date:
        return vietnam_day(self.clock())

    async def _commit(
        self,
        conn: AsyncConnection,
        org: Organization,
        version: Version,
        before: Record,
        context: WriteContext,
        viewer: Principal,
    ) -> View:
        org.apply(version)
        now = self.clock()
        event = outbox_event(org.id, org.record, version, before, context, now)
        self.check_event_size(event, org)
        try:
            await repository.save(conn, org, version, context, event, now)
        except IntegrityError as error:
            if "organizations_registration_key" in str(error.orig):
                raise DuplicateRegistration(
                    Text(
                        "registry.registration_number_taken",
                        number=shown(org.record["registration_number"]),
                    )
                ) from error
            raise
        return View(present(org.id, org.record, org.version, now, viewer), org.version)

    def check_event_size(self, event: repository.OutboxEvent, org: Organization) -> None:
        """Refuse a change whose event could not be published: one such event in the outbox
        would hold back every event behind it."""
        size = event.published_size
        if size <= self.max_event_bytes:
            return
        largest = sorted(org.record, key=lambda key: len(repr(org.record[key])), reverse=True)[:3]
        raise EventTooLarge(
            Text(
                "registry.event_too_large",
                size=Quantity(size),
                limit=Quantity(self.max_event_bytes),
                fields=", ".join(largest),
            )
        )

    async def warnings_of(
        self, conn: AsyncConnection, record: Record, exclude: UUID | None
    ) -> list[dict[str, Any]]:
        """What a person should look at although the write is valid."""
        address = record["address"]
        similar = await repository.similar_names(
            conn, record["name"], address["province_code"], exclude, self.similar_name_threshold
        )
        return [*self.area_warnings(record), *similar_name_warning(similar)]

    def area_warnings(self, record: Record) -> list[dict[str, Any]]:
        warnings: list[dict[str, Any]] = []
        address = record["address"]
        disagreement = legacy_disagreement(
            self.reference.units,
            address.get("commune_code"),
            (address.get("legacy") or {}).get("commune_code"),
        )
        if disagreement:
            warnings.append({"code": "legacy_commune_disagrees", "message": disagreement})
        legacy_commune = (address.get("legacy") or {}).get("commune_code")
        candidates = split_candidates(
            self.reference.units, address.get("commune_code"), legacy_commune
        )
        if candidates:
            names = "; ".join(f"{c.code} ({c.name})" for c in candidates)
            warnings.append(
                {
                    "code": "legacy_commune_split",
                    "message": f"legacy commune {legacy_commune} was split in 2025 into {names}: "
                    "the current commune is left empty until you choose one (PATCH "
                    "address.commune_code)",
                    "candidates": [{"code": c.code, "name": c.name} for c in candidates],
                }
            )
        return warnings

    async def _load(
        self, conn: AsyncConnection, org_id: UUID, *, for_update: bool = False
    ) -> Stored:
        stored = await repository.load(conn, org_id, for_update=for_update)
        if stored is None:
            raise NotFound(Text("registry.no_such_organisation", id=org_id))
        return stored

    @asynccontextmanager
    async def _transaction(self, within: AsyncConnection | None) -> AsyncIterator[AsyncConnection]:
        """A transaction of its own, or a savepoint of the caller's (a row of a batch): either
        way the change and its event commit, or roll back, together."""
        if within is None:
            async with self.engine.begin() as conn:
                yield conn
        else:
            async with within.begin_nested():
                yield within

    async def register(
        self,
        body: Record,
        principal: Principal,
        context: WriteContext,
        within: AsyncConnection | None = None,
    ) -> View:
        require_area(principal, body)
        version = domain.register(body, self.reference, self.today())
        org = Organization(uuid4())
        async with self._transaction(within) as conn:
            owner = await repository.registration_number_owner(conn, body["registration_number"])
            if owner is not None:
                raise number_owned(body, owner)
            warnings = await self.warnings_of(conn, body, None)
            view = await self._commit(conn, org, version, {}, context, principal)
        return View(view.body, view.version, warnings)

    async def apply_change(
        self, change: Modification, within: AsyncConnection | None = None
    ) -> View:
        """The one-transaction template of every change to an existing organisation."""
        principal = change.principal
        require_writer(principal)
        async with self._transaction(within) as conn:
            stored = await self._load(conn, change.org_id, for_update=True)
            org = stored.organization
            before = org.record
            require_area(principal, before)  # before the version, the rules or a no-op
            org.require_version(change.expected_version)
            version = await change.decide(conn, org)
            if version is None:
                unchanged = present(org.id, before, org.version, stored.updated_at, principal)
                return View(unchanged, org.version)
            after = current_record([*org.versions, version])
            require_area(principal, before, after)
            warnings = []
            if after["name"] != before["name"] or after["address"] != before["address"]:
                warnings = await self.warnings_of(conn, after, org.id)
            view = await self._commit(conn, org, version, before, change.context, principal)
        return View(view.body, view.version, warnings)

    def update_of(
        self,
        org_id: UUID,
        patch: Record,
        effective: date | None,
        expected_version: int | None,
        principal: Principal,
        context: WriteContext,
        reason: str | None = None,
    ) -> Modification:
        async def decide(conn: AsyncConnection, org: Organization) -> Version | None:
            return domain.update(org, patch, effective, self.reference, self.today(), reason)

        return Modification(org_id, expected_version, principal, context, decide)

    async def update(
        self,
        org_id: UUID,
        patch: Record,
        effective: date | None,
        expected_version: int | None,
        principal: Principal,
        context: WriteContext,
        reason: str | None = None,
        within: AsyncConnection | None = None,
    ) -> View:
        change = self.update_of(
            org_id, patch, effective, expected_version, principal, context, reason
        )
        return await self.apply_change(change, within)

    def status_change_of(
        self,
        org_id: UUID,
        status: Status,
        effective: date | None,
        reason: str,
        suspended_until: date | None,
        expected_version: int | None,
        principal: Principal,
        context: WriteContext,
        correction: bool = False,
    ) -> Modification:
        if correction:
            require_reviewer(principal, Text("part.registry_correcting_status"))

        async def decide(conn: AsyncConnection, org: Organization) -> Version:
            return domain.change_status(
                org, status, effective, reason, suspended_until, self.today(), correction=correction
            )

        return Modification(org_id, expected_version, principal, context, decide)

    async def change_status(
        self,
        org_id: UUID,
        status: Status,
        effective: date | None,
        reason: str,
        suspended_until: date | None,
        expected_version: int | None,
        principal: Principal,
        context: WriteContext,
        correction: bool = False,
        within: AsyncConnection | None = None,
    ) -> View:
        change = self.status_change_of(
            org_id,
            status,
            effective,
            reason,
            suspended_until,
            expected_version,
            principal,
            context,
            correction,
        )
        return await self.apply_change(change, within)

    async def merge(
        self,
        org_id: UUID,
        into_id: UUID,
        effective: date | None,
        reason: str,
        expected_version: int | None,
        principal: Principal,
        context: WriteContext,
    ) -> View:
        require_reviewer(principal, Text("part.registry_merging"))

        async def decide(conn: AsyncConnection, org: Organization) -> Version:
            into = (await self._load(conn, into_id)).organization
            return domain.merge(org, into, effective, reason, self.today())

        return await self.apply_change(
            Modification(org_id, expected_version, principal, context, decide)
        )

    async def remove(
        self,
        org_id: UUID,
        reason: str,
        expected_version: int | None,
        principal: Principal,
        context: WriteContext,
    ) -> View:
        require_reviewer(principal, Text("part.registry_removing"))

        async def decide(conn: AsyncConnection, org: Organization) -> Version:
            return domain.remove(org, reason, self.today())

        return await self.apply_change(
            Modification(org_id, expected_version, principal, context, decide)
        )

    async def still_current(self, org_id: UUID, version: int) -> bool:
        """Whether a reader holding `version` of the record holds what a read would answer now,
        found in one small query. Never while suspended: a read then warns once the
        suspension's end date has passed, which depends on the day, not the version."""
        async with self.reads.connect() as conn:
            row = await repository.current_version(conn, org_id)
        return (
            row is not None
            and row.version == version
            and row.removed_at is None
            and row.status != Status.SUSPENDED.value
        )

    async def get(self, org_id: UUID, viewer: Principal, as_of: date | None = None) -> View:
        async with self.reads.connect() as conn:
            stored = await self._load(conn, org_id)
        org, updated = stored.organization, stored.updated_at
        if org.removed:
            raise Removed(Text("registry.removed", id=org_id))
        if as_of is None:
            overdue = domain.overdue_suspension(org.record, self.today())
            warnings = [{"code": "suspension_overdue", "message": overdue}] if overdue else []
            body = present(org.id, org.record, org.version, updated, viewer)
            return View(body, org.version, warnings)
        record = org.on(as_of)
        if record is None:
            raise NotFound(
                Text(
                    "registry.not_registered_yet",
                    id=org_id,
                    registered_on=org.record["registered_on"],
                    as_of=as_of,
                )
            )
        # The version a reader of that day would have seen: the last one effective by then.
        seen = max(v.version for v in org.versions if v.effective_date <= as_of or v.version == 1)
        return View(present(org.id, record, seen, updated, viewer), org.version)

    async def history(self, org_id: UUID, viewer: Principal) -> list[dict[str, Any]]:
        async with self.reads.connect() as conn:
            rows = await repository.load_with_history(conn, org_id)
        if not rows:
            raise NotFound(Text("registry.no_such_organisation", id=org_id))
        record = current_record([row.version for row in rows])
        restricted = viewer.sees_restricted_of(record)
        return [self._history_entry(row, viewer, restricted) for row in rows]

    @staticmethod
    def _history_entry(row: VersionRow, viewer: Principal, restricted: bool) -> dict[str, Any]:
        changes = row.version.changes if restricted else tuple(redact(row.version.changes))
        return {
            "version": row.version.version,
            "event_type": row.version.event.event_type,
            "effective_date": row.version.effective_date.isoformat(),
            "recorded_at": row.recorded_at.isoformat(),
            "actor": row.actor if viewer.is_staff else None,
            "source": row.source if viewer.is_staff else None,
            "reason": row.version.reason,
            "changes": [{"field": c.field, "before": c.before, "after": c.after} for c in changes],
        }

    async def list(
        self,
        filters: ListFilters,
        cursor: str | None,
        limit: int,
        viewer: Principal,
        context: WriteContext,
    ) -> Page:
        """One page; a page that shows restricted fields is written to the audit log."""
        after = repository.decode_cursor(cursor, filters) if cursor else None
        async with self.reads.connect() as conn:
            rows, next_after = await repository.list_page(conn, filters, after, limit)
        bodies = [present(r.id, r.record, r.version, r.updated_at, viewer) for r in rows]
        revealed = [str(r.id) for r in rows if viewer.sees_restricted_of(r.record)]
        if revealed:
            async with self.engine.begin() as conn:
                await repository.audit(
                    conn, context, "organization.read_restricted", "list", {"ids": revealed}
                )
        next_cursor = repository.encode_cursor(next_after, filters) if next_after else None
        return Page(bodies, next_cursor, len(revealed))
