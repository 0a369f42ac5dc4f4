"""Shared test data for search: public records and the event envelopes that carry them."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import orjson
import pytest

RecordFactory = Callable[..., dict[str, Any]]
EventFactory = Callable[..., bytes]


def make_record(**overrides: Any) -> dict[str, Any]:
    """A public organisation record as events carry it (a cooperative in Cà Mau by default)."""
    record: dict[str, Any] = {
        "id": str(uuid.uuid4()),
        "registration_number": "6001000001",
        "name": "Hợp tác xã Nông nghiệp Tân Hưng",
        "name_abbreviation": None,
        "kind": "cooperative",
        "status": "operating",
        "status_since": "2015-03-12",
        "registered_on": "2015-03-12",
        "address": {
            "street": "Ấp 3",
            "province_code": "96",
            "commune_code": "31825",
            "legacy": {"province_code": "95", "district_code": "954", "commune_code": "31834"},
            "text": "Ấp 3, phường Bạc Liêu, tỉnh Cà Mau",
            "lat": 9.29,
            "lon": 105.72,
        },
        "sector": {"group": "agriculture", "vsic": ["0111"]},
        "digital": {"computer": True, "internet": True},
        "ocop_products": [],
        "operating_in_practice": "yes",
        "version": 1,
        "updated_at": "2026-11-22T00:00:00Z",
    }
    address = overrides.pop("address", None)
    record.update(overrides)
    if address is not None:
        record["address"] = {**record["address"], **address}
    return record


def make_event(
    record: dict[str, Any],
    event: str = "registered",
    version: int | None = None,
    sequence: int = 1,
) -> bytes:
    """The JSON body of an event on COOP_ORG_V1 carrying `record` at `version`."""
    version = version or record["version"]
    body: dict[str, Any] = {
        "event_id": str(uuid.uuid4()),
        "event_type": f"organization.{event}",
        "schema_version": 1,
        "occurred_at": datetime.now(UTC).isoformat(),
        "recorded_at": datetime.now(UTC).isoformat(),
        "sequence": sequence,
        "organization_id": record["id"],
        "organization_version": version,
        "actor": "pytest",
        "correlation_id": None,
        "data": {
            "record": {**record, "version": version},
            "changed_fields": [],
            "effective_date": "2026-11-22",
            "reason": None,
        },
    }
    if event == "status_changed":
        body["data"].update(previous_status="operating", status=record["status"])
    if event == "merged":
        body["data"]["merged_into"] = str(uuid.uuid4())
    return orjson.dumps(body)


@pytest.fixture(scope="session")
def record() -> RecordFactory:
    return make_record


@pytest.fixture(scope="session")
def event() -> EventFactory:
    return make_event
