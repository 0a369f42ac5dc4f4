"""Synthetic histories for the projection: many organisations, each a few events, in the shape
the registry's change log serves them (`GET /v1/changes` pages of envelopes).

Bodies come from the registry's demo generator (real provinces, communes, legacy units and VSIC
codes); each organisation is registered, and some later change status or recount members with
effective dates after registration, as surveys do.
"""

from __future__ import annotations

import copy
import random
import uuid
from collections.abc import Iterator, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any

STATUSES = ["suspended", "dissolving", "dissolved", "bankrupt", "certificate_revoked"]
TODAY = date(2026, 11, 1)


def _flatten(record: dict[str, Any], prefix: str = "") -> list[tuple[str, Any]]:
    nested = {"address", "address.legacy", "sector", "legal_representative", "contact", "digital"}
    flat: list[tuple[str, Any]] = []
    for key, value in record.items():
        path = f"{prefix}{key}"
        if path in nested and isinstance(value, dict):
            flat += _flatten(value, f"{path}.")
        else:
            flat.append((path, value))
    return flat


# The synthetic history's change-log sequences start far above any the benchmark's live
# registry reaches: reporting refuses a second event claiming a sequence already applied, so
# sharing the registry's numbers would send every live registration to the dead letters.
FIRST_SEQUENCE = 1_000_000_000


class Histories:
    def __init__(self, templates: Sequence[dict[str, Any]], seed: int = 2025) -> None:
        self.templates = templates
        self.random = random.Random(seed)
        self.sequence = FIRST_SEQUENCE - 1

    def _envelope(
        self,
        org_id: str,
        version: int,
        event: str,
        day: date,
        record: dict[str, Any],
        changes: list[tuple[str, Any]],
    ) -> dict[str, Any]:
        self.sequence += 1
        now = datetime.now(UTC).isoformat()
        data: dict[str, Any] = {
            "record": {**record, "id": org_id, "version": version, "updated_at": now},
            "changed_fields": [{"field": f, "before": None, "after": a} for f, a in changes],
            "effective_date": day.isoformat(),
            "reason": None,
        }
        if event == "status_changed":
            data["previous_status"] = "operating"
            data["status"] = record["status"]
        return {
            "event_id": str(uuid.uuid4()),
            "event_type": f"organization.{event}",
            "schema_version": 1,
            "occurred_at": now,
            "recorded_at": now,
            "sequence": self.sequence,
            "organization_id": org_id,
            "organization_version": version,
            "actor": "bench",
            "correlation_id": None,
            "data": data,
        }

    def organization(self, number: int) -> list[dict[str, Any]]:
        rng = self.random
        template = self.templates[number % len(self.templates)]
        registered = date(2000, 1, 1) + timedelta(days=rng.randrange(0, 9000))
        record = copy.deepcopy(template)
        record.pop("legal_representative", None)
        record.pop("contact", None)
        record["registration_number"] = f"{number:010d}"
        record["registered_on"] = registered.isoformat()
        record["status"] = "operating"
        record["status_since"] = registered.isoformat()
        org_id = str(uuid.UUID(int=rng.getrandbits(128)))
        events = [self._envelope(org_id, 1, "registered", registered, record, _flatten(record))]
        version = 1
        span = max(1, (TODAY - registered).days)
        if rng.random() < 0.2:
            version += 1
            day = registered + timedelta(days=rng.randrange(0, span))
            members = rng.randrange(5, 400)
            record["members_count"] = members
            changes = [("members_count", members)]
            events.append(self._envelope(org_id, version, "updated", day, record, changes))
        if rng.random() < 0.3:
            version += 1
            day = registered + timedelta(days=rng.randrange(0, span))
            status = rng.choice(STATUSES)
            record["status"], record["status_since"] = status, day.isoformat()
            if status == "suspended":
                record["suspended_until"] = (day + timedelta(days=365)).isoformat()
            changes = [("status", status), ("status_since", day.isoformat())]
            events.append(self._envelope(org_id, version, "status_changed", day, record, changes))
        return events

    def pages(self, organizations: int, page_size: int = 1000) -> Iterator[list[dict[str, Any]]]:
        page: list[dict[str, Any]] = []
        for number in range(organizations):
            page += self.organization(number)
            if len(page) >= page_size:
                yield page
                page = []
        if page:
            yield page
