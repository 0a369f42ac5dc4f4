"""The organisation aggregate: every write produces one new version, or an error.

Each function takes the organisation as loaded, checks the rules, and returns the `Version` to
store. Nothing here knows about HTTP, SQL or NATS.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from typing import Any
from uuid import UUID

from hoptac.contracts.codes import FINAL_STATUSES, EventName, Status
from hoptac.platform.text import Text
from hoptac.registry.domain.areas import derive_current_commune
from hoptac.registry.domain.errors import (
    FieldProblem,
    InvalidFields,
    InvalidTransition,
    Removed,
    StaleVersion,
)
from hoptac.registry.domain.history import Version, current_record, record_on
from hoptac.registry.domain.record import (
    Change,
    Record,
    as_registered,
    diff,
    merge_patch,
    with_defaults,
)
from hoptac.registry.domain.status import STATUS_NAMES, check_transition
from hoptac.registry.domain.validation import ReferenceData, check_record

# Changed only through their own commands, so every status change is an explicit, audited act.
STATUS_FIELDS = ("status", "status_since", "suspended_until", "merged_into")


@dataclass
class Organization:
    id: UUID
    versions: list[Version] = field(default_factory=list)
    removed: bool = False

    @property
    def version(self) -> int:
        return self.versions[-1].version if self.versions else 0

    @cached_property
    def record(self) -> Record:
        return current_record(self.versions)

    @property
    def status(self) -> Status:
        return Status(self.record["status"])

    def apply(self, version: Version) -> None:
        self.versions.append(version)
        self.__dict__.pop("record", None)  # the cached current record is stale now
        if version.event == EventName.REMOVED:
            self.removed = True

    def on(self, day: date) -> Record | None:
        return record_on(self.versions, day)

    def require_version(self, expected: int | None) -> None:
        if expected is not None and expected != self.version:
            raise StaleVersion(
                Text("registry.stale_version", expected=expected, version=self.version)
            )

    def require_present(self) -> None:
        if self.removed:
            raise Removed(Text("registry.removed_cannot_change"))

    def next_version(
        self, event: EventName, effective: date, changes: list[Change], reason: str | None
    ) -> Version:
        return Version(self.version + 1, event, effective, tuple(changes), reason)


def _fill_current_commune(record: Record, reference: ReferenceData) -> Record:
    """Fill the current commune from the legacy one when that is certain (not split)."""
    address = record.get("address") or {}
    legacy = address.get("legacy") or {}
    if address.get("commune_code") or not legacy.get("commune_code"):
        return record
    derived = derive_current_commune(reference.units, legacy["commune_code"])
    if derived is None:
        return record
    return merge_patch(record, {"address": {"commune_code": derived}})


def _effective_day(
    org: Organization, requested: date | None, today: date, not_before: date | None = None
) -> date:
    day = requested or today
    if day > today:
        raise InvalidFields(
            [FieldProblem("effective_date", Text("registry.day_in_future", day=day))]
        )
    registered_on = date.fromisoformat(org.record["registered_on"])
    floor = max(registered_on, not_before) if not_before else registered_on
    if day < floor:
        before = (
            Text("registry.day_before_registration", day=day, floor=floor)
            if floor == registered_on
            else Text("registry.day_before_status", day=day, floor=floor)
        )
        raise InvalidFields([FieldProblem("effective_date", before)])
    return day


def _registration(body: Record, reference: ReferenceData, today: date) -> tuple[Record, Version]:
    """The registration's version, and the current record its changes make."""
    record = _fill_current_commune(with_defaults(body), reference)
    record["status"] = Status.OPERATING.value
    record["status_since"] = record.get("registered_on")
    check_record(record, reference, today)
    registered_on = date.fromisoformat(record["registered_on"])
    current, changes = as_registered(record)
    return current, Version(1, EventName.REGISTERED, registered_on, tuple(changes))


def register(body: Record, reference: ReferenceData, today: date) -> Version:
    return _registration(body, reference, today)[1]


def registered(org_id: UUID, body: Record, reference: ReferenceData, today: date) -> Organization:
    """A new organisation holding `register`'s version. Its current record is made directly
    from the registered one (`as_registered`: the record the version's changes would rebuild)."""
    current, version = _registration(body, reference, today)
    org = Organization(org_id, [version])
    org.__dict__["record"] = current  # the cached `record`, as `apply` would leave it
    return org


def update(
    org: Organization,
    patch: Record,
    effective: date | None,
    reference: ReferenceData,
    today: date,
    reason: str | None = None,
) -> Version | None:
    """Apply a JSON merge patch as of its effective day; None when it changes nothing."""
    org.require_present()
    locked = [
        FieldProblem(name, Text("registry.status_field_locked"))
        for name in STATUS_FIELDS
        if name in patch
    ]
    if locked:
        raise InvalidFields(locked)
    day = _effective_day(org, effective, today)
    before = org.on(day) or org.record
    after = _fill_current_commune(with_defaults(merge_patch(before, patch)), reference)
    check_record(after, reference, today)
    changes = diff(before, after)
    if not changes:
        return None
    version = org.next_version(EventName.UPDATED, day, changes, reason)
    check_record(current_record([*org.versions, version]), reference, today)
    return version


def change_status(
    org: Organization,
    target: Status,
    effective: date | None,
    reason: str,
    suspended_until: date | None,
    today: date,
    *,
    correction: bool = False,
) -> Version:
    """A change of legal status as the law allows it; a correction (a reviewer's) puts right a
    status entered by mistake, whatever the two statuses, from the day it names."""
    org.require_present()
    since = date.fromisoformat(org.record["status_since"])
    day = _effective_day(org, effective, today, not_before=since)
    if target == org.status == Status.SUSPENDED and not correction:
        return _extend_suspension(org, day, reason, suspended_until)
    if correction:
        if target == org.status:
            raise InvalidTransition(Text("registry.status_already", status=STATUS_NAMES[target]))
    else:
        check_transition(org.status, target)
    if target == Status.SUSPENDED:
        if suspended_until is None or suspended_until <= day:
            raise InvalidFields(
                [FieldProblem("suspended_until", Text("registry.suspension_needs_end"))]
            )
    elif suspended_until is not None:
        raise InvalidFields(
            [FieldProblem("suspended_until", Text("registry.end_only_for_suspension"))]
        )
    after: dict[str, Any] = {
        "status": target.value,
        "status_since": day.isoformat(),
        "suspended_until": suspended_until.isoformat() if suspended_until else None,
    }
    changes = [
        Change(name, org.record.get(name), value)
        for name, value in after.items()
        if org.record.get(name) != value
    ]
    return org.next_version(EventName.STATUS_CHANGED, day, changes, reason)


def _extend_suspension(
    org: Organization, day: date, reason: str, suspended_until: date | None
) -> Version:
    current_end = date.fromisoformat(org.record["suspended_until"])
    if suspended_until is None or suspended_until <= current_end:
        raise InvalidFields(
            [
                FieldProblem(
                    "suspended_until",
                    Text("registry.suspension_already_runs_to", end=current_end.isoformat()),
                )
            ]
        )
    change = Change("suspended_until", org.record["suspended_until"], suspended_until.isoformat())
    return org.next_version(EventName.STATUS_CHANGED, day, [change], reason)


def overdue_suspension(record: Record, today: date) -> str | None:
    """A suspension whose end date has passed with no change recorded since: say so."""
    end = record.get("suspended_until")
    if record.get("status") != Status.SUSPENDED.value or end is None or end >= today.isoformat():
        return None
    return (
        f"the suspension ended on {end} and no change was recorded since: record whether the "
        "organisation resumed operating, extended the suspension, or is dissolving"
    )


def merge(
    org: Organization, into: Organization, effective: date | None, reason: str, today: date
) -> Version:
    """`org` is absorbed by `into` and ends as dissolved, pointing at its successor."""
    org.require_present()
    if into.id == org.id:
        raise InvalidFields([FieldProblem("into", Text("registry.merge_into_itself"))])
    if into.removed:
        raise InvalidTransition(Text("registry.merge_into_removed", id=into.id))
    if into.status in FINAL_STATUSES:
        raise InvalidTransition(
            Text("registry.merge_into_final", id=into.id, status=STATUS_NAMES[into.status])
        )
    since = date.fromisoformat(org.record["status_since"])
    day = _effective_day(org, effective, today, not_before=since)
    check_transition(org.status, Status.DISSOLVED)
    after = {
        "status": Status.DISSOLVED.value,
        "status_since": day.isoformat(),
        "suspended_until": None,
        "merged_into": str(into.id),
    }
    changes = [
        Change(name, org.record.get(name), value)
        for name, value in after.items()
        if org.record.get(name) != value
    ]
    return org.next_version(EventName.MERGED, day, changes, reason)


def remove(org: Organization, reason: str, today: date) -> Version:
    """Withdraw a record entered by mistake; its history stays for the audit."""
    org.require_present()
    return org.next_version(EventName.REMOVED, today, [], reason)
