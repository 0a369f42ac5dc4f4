"""Test support: organisation histories as the registry would publish them, and an oracle.

`FakeRegistry` keeps versions the way the registry does (each version: its event, effective day
and changed fields) and renders each as a contract envelope, with the full record after the
change. `oracle_record_on` folds versions with the registry's own domain code, so the
projection is checked against the registry's `as_of` semantics, not against itself.
"""

from __future__ import annotations

import copy
import json
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from hypothesis import strategies as st

from hoptac.reporting.domain.history import Record, current_record
from hoptac.reporting.domain.history import Version as OwnVersion

NESTED = frozenset(
    {"address", "address.legacy", "sector", "legal_representative", "contact", "digital"}
)
TODAY = date(2026, 11, 22)
COMMUNES = ["31825", "32002", "32025", None]
LEGACY_DISTRICTS = ["964", "966", "970", None]
SECTORS = ["agriculture", "industry_handicraft", "trade_services", "transport", "other"]
STATUSES = ["operating", "suspended", "dissolving", "dissolved", "bankrupt", "certificate_revoked"]


def flatten(record: Record, prefix: str = "") -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key, value in record.items():
        path = f"{prefix}{key}"
        if path in NESTED and isinstance(value, dict):
            flat.update(flatten(value, f"{path}."))
        else:
            flat[path] = value
    return flat


def base_record(number: int, registered_on: date, **overrides: Any) -> Record:
    record: Record = {
        "registration_number": f"96{number:08d}",
        "name": f"Hợp tác xã Nông nghiệp Tân Hưng {number}",
        "kind": "cooperative",
        "status": "operating",
        "status_since": registered_on.isoformat(),
        "registered_on": registered_on.isoformat(),
        "address": {
            "province_code": "96",
            "commune_code": "31825",
            "legacy": {"province_code": "95", "district_code": "954", "commune_code": "31825"},
            "text": "Ấp 3, phường Bạc Liêu, tỉnh Cà Mau",
        },
        "sector": {"group": "agriculture", "vsic": ["0111"]},
        "members_count": 10,
        "workers_count": 5,
        "charter_capital": 100_000_000,
        "ocop_products": [],
        "digital": {"computer": True, "internet": False},
        "operating_in_practice": "yes",
    }
    record.update(copy.deepcopy(overrides))
    return record


@dataclass
class StoredVersion:
    version: int
    event: str
    effective_date: date
    changes: list[tuple[str, Any, Any]]  # (field, before, after)
    sequence: int
    reason: str | None = None


@dataclass
class FakeOrganization:
    id: uuid.UUID
    versions: list[StoredVersion] = field(default_factory=list)

    def own_versions(self) -> list[OwnVersion]:
        return [
            OwnVersion(v.version, v.event, v.effective_date, tuple((f, a) for f, _, a in v.changes))
            for v in self.versions
        ]

    def record(self, upto: int | None = None) -> Record:
        chosen = [v for v in self.own_versions() if upto is None or v.version <= upto]
        return current_record(chosen)


class FakeRegistry:
    def __init__(self) -> None:
        self.organizations: dict[uuid.UUID, FakeOrganization] = {}
        self.sequence = 0
        self.log: list[dict[str, Any]] = []  # every envelope, in commit order

    def _add(
        self,
        org: FakeOrganization,
        event: str,
        day: date,
        changes: list[tuple[str, Any, Any]],
        reason: str | None = None,
    ) -> dict[str, Any]:
        self.sequence += 1
        version = StoredVersion(len(org.versions) + 1, event, day, changes, self.sequence, reason)
        org.versions.append(version)
        envelope = self.envelope(org, version)
        self.log.append(envelope)
        return envelope

    def register(self, record: Record, org_id: uuid.UUID | None = None) -> dict[str, Any]:
        org = FakeOrganization(org_id or uuid.uuid4())
        self.organizations[org.id] = org
        changes = [(path, None, value) for path, value in sorted(flatten(record).items())]
        return self._add(org, "registered", date.fromisoformat(record["registered_on"]), changes)

    def update(self, org_id: uuid.UUID, day: date, fields: dict[str, Any]) -> dict[str, Any]:
        org = self.organizations[org_id]
        before = flatten(org.record())
        changes = [(path, before.get(path), value) for path, value in fields.items()]
        return self._add(org, "updated", day, changes)

    def change_status(self, org_id: uuid.UUID, day: date, status: str) -> dict[str, Any]:
        org = self.organizations[org_id]
        current = org.record()
        changes = [
            ("status", current["status"], status),
            ("status_since", current["status_since"], day.isoformat()),
        ]
        return self._add(org, "status_changed", day, changes, reason="kiểm tra thực tế")

    def remove(self, org_id: uuid.UUID, day: date = TODAY) -> dict[str, Any]:
        return self._add(self.organizations[org_id], "removed", day, [], reason="nhập nhầm")

    def envelope(self, org: FakeOrganization, version: StoredVersion) -> dict[str, Any]:
        recorded = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(seconds=version.sequence)
        record = {
            **org.record(version.version),
            "id": str(org.id),
            "version": version.version,
            "updated_at": recorded.isoformat(),
        }
        data: dict[str, Any] = {
            "record": record,
            "changed_fields": [
                {"field": f, "before": b, "after": a} for f, b, a in version.changes
            ],
            "effective_date": version.effective_date.isoformat(),
            "reason": version.reason,
        }
        if version.event == "status_changed":
            previous = org.record(version.version - 1)["status"]
            data.update(previous_status=previous, status=record["status"])
        return {
            "event_id": str(uuid.uuid4()),
            "event_type": f"organization.{version.event}",
            "schema_version": 1,
            "occurred_at": recorded.isoformat(),
            "recorded_at": recorded.isoformat(),
            "sequence": version.sequence,
            "organization_id": str(org.id),
            "organization_version": version.version,
            "actor": "test",
            "correlation_id": None,
            "data": data,
        }


def as_bytes(envelope: dict[str, Any]) -> bytes:
    return json.dumps(envelope, ensure_ascii=False).encode()


def oracle_record_on(org: FakeOrganization, day: date) -> Record | None:
    """The registry's own fold (its domain code): the record as it stood at the end of `day`."""
    from hoptac.contracts.codes import EventName
    from hoptac.registry.domain.history import Version, record_on
    from hoptac.registry.domain.record import Change

    if any(v.event == "removed" for v in org.versions):
        return None
    versions = [
        Version(
            v.version,
            EventName(v.event),
            v.effective_date,
            tuple(Change(f, b, a) for f, b, a in v.changes),
        )
        for v in org.versions
    ]
    return record_on(versions, day)


# Hypothesis: random histories of a few organisations.


@dataclass(frozen=True)
class Step:
    org: int
    op: str
    offset: int  # days after registration
    value: Any


def _update_value(op: str) -> st.SearchStrategy[Any]:
    return {
        "members": st.integers(0, 500),
        "workers": st.integers(0, 300),
        "commune": st.sampled_from(COMMUNES),
        "legacy_district": st.sampled_from(LEGACY_DISTRICTS),
        "sector": st.sampled_from(SECTORS),
        "status": st.sampled_from(STATUSES),
        # Stars, and a certification day (days after 2015-01-01) or none.
        "ocop": st.lists(
            st.tuples(st.integers(3, 5), st.none() | st.integers(0, 4000)), max_size=3
        ),
        "digital": st.booleans(),
        "registered_on": st.integers(-200, 200),
        "remove": st.none(),
    }[op]


OPS = [
    "members",
    "workers",
    "commune",
    "legacy_district",
    "sector",
    "status",
    "ocop",
    "digital",
    "registered_on",
    "remove",
]


@st.composite
def steps(draw: st.DrawFn, organizations: int) -> list[Step]:
    result = []
    for _ in range(draw(st.integers(0, 12))):
        op = draw(st.sampled_from(OPS[:-1]) if draw(st.integers(0, 24)) else st.just("remove"))
        result.append(
            Step(
                draw(st.integers(0, organizations - 1)),
                op,
                draw(st.integers(0, 1500)),
                draw(_update_value(op)),
            )
        )
    return result


@st.composite
def histories(draw: st.DrawFn, max_organizations: int = 3) -> FakeRegistry:
    """A registry after a random history: registrations, backdated updates, status changes,
    corrections of the registration day, removals."""
    count = draw(st.integers(1, max_organizations))
    registry = FakeRegistry()
    ids = []
    for number in range(count):
        registered = date(2018, 1, 1) + timedelta(days=draw(st.integers(0, 1800)))
        sector = draw(st.sampled_from(SECTORS))
        ids.append(
            registry.register(
                base_record(number, registered, sector={"group": sector, "vsic": []})
            )["organization_id"]
        )
    for step in draw(steps(count)):
        org_id = uuid.UUID(ids[step.org])
        org = registry.organizations[org_id]
        if any(v.event == "removed" for v in org.versions):
            continue
        start = date.fromisoformat(org.record()["registered_on"])
        day = min(start + timedelta(days=step.offset), TODAY)
        if step.op == "remove":
            registry.remove(org_id)
        elif step.op == "status":
            registry.change_status(org_id, day, step.value)
        elif step.op == "registered_on":
            corrected = min(start + timedelta(days=step.value), TODAY)
            registry.update(org_id, day, {"registered_on": corrected.isoformat()})
        else:
            path, value = _field_change(step)
            registry.update(org_id, day, {path: value})
    return registry


def _field_change(step: Step) -> tuple[str, Any]:
    if step.op == "ocop":
        return "ocop_products", [
            {
                "name": f"Sản phẩm {i}",
                "stars": stars,
                **({"certified_on": _certified(days).isoformat()} if days is not None else {}),
            }
            for i, (stars, days) in enumerate(step.value)
        ]
    path = {
        "members": "members_count",
        "workers": "workers_count",
        "commune": "address.commune_code",
        "legacy_district": "address.legacy.district_code",
        "sector": "sector.group",
        "digital": "digital.accounting_software",
    }[step.op]
    return path, step.value


def _certified(days: int) -> date:
    return min(date(2015, 1, 1) + timedelta(days=days), TODAY)


def interesting_days(registry: FakeRegistry) -> list[date]:
    """Every day on which some count can change, and the days around it."""
    days = {TODAY}
    for org in registry.organizations.values():
        for version in org.versions:
            for delta in (-1, 0, 1):
                days.add(version.effective_date + timedelta(days=delta))
        registered = org.record().get("registered_on")
        if registered:
            for delta in (-1, 0, 1):
                days.add(date.fromisoformat(registered) + timedelta(days=delta))
        for version in org.versions:
            after = {field: value for field, _, value in version.changes}
            for product in after.get("ocop_products") or []:
                if "certified_on" in product:
                    certified = date.fromisoformat(product["certified_on"])
                    days.update(certified + timedelta(days=d) for d in (-1, 0, 1))
    return sorted(days)
