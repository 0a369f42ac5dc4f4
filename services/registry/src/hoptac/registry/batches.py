"""Many changes in one transaction, answered as if applied one after the other, and stored
set-based.

Rows next to each other of one kind form a run. A run of registrations is validated in Python
(the single route's code), its numbers looked up in one query and its similar names in another;
a run of updates and status changes loads its organisations in two queries and decides each row
in memory, in order, a row seeing the ones before it. The versions accepted are then stored with
a statement per table and one NOTIFY (`repository.save_many`). A refused row is simply left out,
so it is never half applied. Should the store still fail at the database (a registration number
taken by another transaction since the check), the rows since the last store are applied again
one by one, each in its savepoint, and only the row at fault is refused.

A dry run without similar names stores nothing: what its rows decide is kept in memory
(`_Decided`), where the rows after them see it as they would see it stored, and the answers
are the same. With similar names, a dry run stores and rolls back, since a name's neighbours
are found by the database.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID, uuid4

from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection

from hoptac.contracts.organization import registration_key
from hoptac.platform.text import Text
from hoptac.registry.adapters import repository
from hoptac.registry.adapters.event_mapping import outbox_event, surely_fits
from hoptac.registry.adapters.repository import OutboxEvent, Saved, WriteContext
from hoptac.registry.domain import organization as domain
from hoptac.registry.domain.access import Principal, require_area, require_writer
from hoptac.registry.domain.errors import DomainError, NotFound
from hoptac.registry.domain.history import Version
from hoptac.registry.domain.organization import Organization
from hoptac.registry.domain.record import Record
from hoptac.registry.handlers import (
    Modification,
    Registry,
    View,
    number_owned,
    similar_name_warning,
)


@dataclass(frozen=True)
class Applied:
    """A row applied (or found unchanged): what the batch answers of it."""

    id: UUID
    version: int
    warnings: list[dict[str, Any]]

    @classmethod
    def of(cls, view: View) -> Applied:
        return cls(UUID(view.body["id"]), view.version, view.warnings)


Outcome = Applied | DomainError


@dataclass(frozen=True)
class Registration:
    """A registration row, its body read and cleaned as the single route reads it."""

    record: Record
    principal: Principal
    context: WriteContext


Row = Registration | Modification


@dataclass
class _Decided:
    """What the runs of a dry run decided without storing it, for the runs after them."""

    numbers: dict[str, UUID] = field(default_factory=dict)  # registration key -> new organisation
    organizations: dict[UUID, Organization] = field(default_factory=dict)


def runs(rows: Sequence[Row]) -> list[list[Row]]:
    """The rows in order, cut where they turn from registrations to other changes or back."""
    cut: list[list[Row]] = []
    for row in rows:
        if cut and isinstance(cut[-1][0], Registration) == isinstance(row, Registration):
            cut[-1].append(row)
        else:
            cut.append([row])
    return cut


async def apply_batch(
    registry: Registry, rows: Sequence[Row], dry_run: bool, similar_names: bool = True
) -> list[Outcome]:
    """Each row's view or error, in order; a dry run answers the same and keeps nothing.
    Without `similar_names`, no row is warned of a name like another of its province."""
    results: list[Outcome] = []
    decided = _Decided() if dry_run and not similar_names else None
    async with registry.engine.begin() as conn:
        await repository.prune_similar_names(conn, registry.similar_name_threshold)
        for run in runs(rows):
            if isinstance(run[0], Registration):
                registrations = [row for row in run if isinstance(row, Registration)]
                results.extend(
                    await _register(registry, conn, registrations, similar_names, decided)
                )
            else:
                changes = [row for row in run if isinstance(row, Modification)]
                results.extend(
                    await _Changes(registry, conn, changes, similar_names, decided).apply()
                )
        if dry_run:
            await conn.rollback()
    return results


def _event(
    registry: Registry,
    org: Organization,
    version: Version,
    before: Record,
    context: WriteContext,
    now: datetime,
    decided: _Decided | None,
) -> OutboxEvent | None:
    """The event of `org`'s new `version`, refused when too large to publish. A dry run that
    keeps nothing (`decided`) only needs to know it would fit; when that is certain from the
    records' size, the event is not built (None): it is two fifths of a checked row's CPU."""
    if decided is not None and surely_fits(
        org.record, version, before, context, registry.max_event_bytes
    ):
        return None
    event = outbox_event(org.id, org.record, version, before, context, now)
    registry.check_event_size(event, org)
    return event


async def _one_by_one(
    registry: Registry, conn: AsyncConnection, rows: Sequence[Row]
) -> list[Outcome]:
    """The rows applied as the single routes apply them, each in a savepoint of `conn`."""
    results: list[Outcome] = []
    for row in rows:
        try:
            if isinstance(row, Registration):
                view = await registry.register(row.record, row.principal, row.context, conn)
            else:
                view = await registry.apply_change(row, conn)
        except DomainError as error:
            results.append(error)
        else:
            results.append(Applied.of(view))
    return results


async def _stored(conn: AsyncConnection, saved: list[Saved], now: datetime) -> bool:
    """Whether `saved` is stored; if not, nothing of it is."""
    if not saved:
        return True
    try:
        async with conn.begin_nested():
            await repository.save_many(conn, saved, now)
    except DBAPIError:
        return False
    return True


async def _register(
    registry: Registry,
    conn: AsyncConnection,
    rows: list[Registration],
    similar_names: bool,
    decided: _Decided | None,
) -> list[Outcome]:
    """A run of registrations: checked as `Registry.register` checks each, stored together
    (or, in a dry run that stores nothing, kept in `decided`)."""
    outcomes: list[Outcome | None] = [None] * len(rows)
    now, today = registry.clock(), registry.today()
    checked = []
    for index, row in enumerate(rows):
        try:
            require_area(row.principal, row.record)
            new = domain.registered(uuid4(), row.record, registry.reference, today)
            checked.append((index, new))
        except DomainError as error:
            outcomes[index] = error
    numbers = [rows[index].record["registration_number"] for index, _ in checked]
    owners = await repository.registration_owners(conn, numbers)
    if decided is not None:
        owners.update(decided.numbers)
    accepted: list[tuple[int, Saved]] = []
    for index, org in checked:
        row = rows[index]
        key = registration_key(row.record["registration_number"])
        if key in owners:  # held by the register, or by an earlier row of this run
            outcomes[index] = number_owned(row.record, owners[key])
            continue
        version = org.versions[0]
        try:
            event = _event(registry, org, version, {}, row.context, now, decided)
        except DomainError as error:
            outcomes[index] = error
            continue
        owners[key] = org.id
        accepted.append((index, Saved(org, version, row.context, event)))
    new_names = [
        repository.NewName(
            saved.organization.id,
            rows[index].record["name"],
            rows[index].record["registration_number"],
            rows[index].record["address"]["province_code"],
        )
        for index, saved in accepted
    ]
    similar: list[list[dict[str, Any]]] = [[] for _ in new_names]
    if similar_names:
        similar = await repository.similar_names_of_new(
            conn, new_names, registry.similar_name_threshold
        )
    if decided is not None:
        decided.numbers.update(
            (registration_key(rows[index].record["registration_number"]), saved.organization.id)
            for index, saved in accepted
        )
    elif not await _stored(conn, [saved for _, saved in accepted], now):
        return await _one_by_one(registry, conn, rows)
    for (index, saved), found in zip(accepted, similar, strict=True):
        org = saved.organization
        warnings = [*registry.area_warnings(rows[index].record), *similar_name_warning(found)]
        outcomes[index] = Applied(org.id, org.version, warnings)
    return [outcome for outcome in outcomes if outcome is not None]


class _Changes:
    """A run of updates and status changes, decided in memory in order and stored together.

    A row whose name or address changes asks the database for similar names: what is decided
    before it is stored first, so that the search sees it, as it would one row at a time."""

    def __init__(
        self,
        registry: Registry,
        conn: AsyncConnection,
        rows: list[Modification],
        similar_names: bool,
        decided: _Decided | None,
    ) -> None:
        self.registry = registry
        self.decided = decided
        self.similar_names = similar_names
        self.conn = conn
        self.rows = rows
        self.now = registry.clock()
        self.organizations: dict[UUID, Organization] = {}
        self.pending: list[Saved] = []
        self.pending_from = 0  # the first row whose version may be pending

    async def apply(self) -> list[Outcome]:
        known = self.decided or _Decided()
        wanted = {row.org_id for row in self.rows} - known.organizations.keys()
        loaded = await repository.load_many(self.conn, list(wanted), for_update=True)
        self.organizations = {org_id: s.organization for org_id, s in loaded.items()}
        self.organizations.update(known.organizations)
        results: list[Outcome] = []
        for index, row in enumerate(self.rows):
            try:
                results.append(await self._decide(index, row))
            except DomainError as error:
                results.append(error)
            except _StoreFailed:
                return await self._again_from(results)
        if self.decided is not None:
            self.decided.organizations.update(self.organizations)
        elif not await _stored(self.conn, self.pending, self.now):
            return await self._again_from(results)
        return results

    async def _again_from(self, results: list[Outcome]) -> list[Outcome]:
        """Rows from the first one not stored on are applied again one by one."""
        start = self.pending_from
        again = await _one_by_one(self.registry, self.conn, self.rows[start:])
        return [*results[:start], *again]

    async def _flush(self, index: int) -> None:
        if not await _stored(self.conn, self.pending, self.now):
            raise _StoreFailed
        self.pending = []
        self.pending_from = index

    async def _decide(self, index: int, row: Modification) -> Applied:
        """`Registry.apply_change` of one row, on the organisation as the rows before left it."""
        principal = row.principal
        require_writer(principal)
        org = self.organizations.get(row.org_id)
        if org is None:
            raise NotFound(Text("registry.no_such_organisation", id=row.org_id))
        before = org.record
        require_area(principal, before)
        org.require_version(row.expected_version)
        version = await row.decide(self.conn, org)
        if version is None:
            return Applied(org.id, org.version, [])
        changed = Organization(org.id, list(org.versions), removed=org.removed)
        changed.apply(version)
        after = changed.record
        require_area(principal, before, after)
        warnings = []
        if after["name"] != before["name"] or after["address"] != before["address"]:
            if self.similar_names:
                await self._flush(index)
                warnings = await self.registry.warnings_of(self.conn, after, org.id)
            else:
                warnings = self.registry.area_warnings(after)
        event = _event(self.registry, changed, version, before, row.context, self.now, self.decided)
        self.organizations[org.id] = changed
        self.pending.append(Saved(changed, version, row.context, event))
        return Applied(org.id, changed.version, warnings)


class _StoreFailed(Exception):
    """The versions decided so far could not be stored together."""
