"""Shared test data: registry events as they arrive from JetStream or the change log."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest

CA_MAU = "96"
HA_NOI = "01"


def make_event(
    sequence: int,
    organization_id: uuid.UUID | None = None,
    version: int = 1,
    event: str = "registered",
    province: str = CA_MAU,
    kind: str = "cooperative",
    sector: str = "agriculture",
    status: str = "operating",
    name: str = "Hợp tác xã Nông nghiệp Tân Hưng",
    last_verified_on: str | None = "2025-10-01",
    commune: str | None = "31825",
) -> dict[str, Any]:
    """One valid envelope; `organization_id` defaults to a new organisation."""
    org = organization_id or uuid.uuid4()
    now = datetime(2026, 11, 22, 3, 0, sequence % 60, tzinfo=UTC).isoformat()
    record = {
        "id": str(org),
        "registration_number": f"60010{sequence:05d}",
        "name": name,
        "kind": kind,
        "status": status,
        "status_since": "2015-03-12",
        "registered_on": "2015-03-12",
        "address": {"province_code": province, "commune_code": commune, "text": "Ấp 3"},
        "sector": {"group": sector, "vsic": ["0111"]},
        "members_count": 25,
        "last_verified_on": last_verified_on,
        "version": version,
        "updated_at": now,
    }
    data: dict[str, Any] = {
        "record": record,
        "changed_fields": [{"field": "name", "before": None, "after": name}],
        "effective_date": "2026-11-22",
    }
    if event == "status_changed":
        data |= {"previous_status": "operating", "status": status}
    if event == "merged":
        data |= {"merged_into": str(uuid.uuid4())}
    return {
        "event_id": str(uuid.uuid4()),
        "event_type": f"organization.{event}",
        "schema_version": 1,
        "occurred_at": now,
        "recorded_at": now,
        "sequence": sequence,
        "organization_id": str(org),
        "organization_version": version,
        "actor": "pytest",
        "correlation_id": None,
        "data": data,
    }


def as_bytes(event: dict[str, Any]) -> bytes:
    return json.dumps(event, ensure_ascii=False, separators=(",", ":")).encode()


@pytest.fixture(scope="session")
def new_event() -> Callable[..., dict[str, Any]]:
    return make_event


@pytest.fixture(scope="session")
def encode() -> Callable[[dict[str, Any]], bytes]:
    return as_bytes
