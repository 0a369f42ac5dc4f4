"""The registry builds every event through the contract's models before it writes it."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from uuid import UUID

import pytest

from hoptac.contracts.codes import EventName
from hoptac.contracts.events import OrganizationStatusChanged, parse_event
from hoptac.registry.adapters.outbox import ContractBroken, body, checked, encode, envelope
from hoptac.registry.adapters.repository import WriteContext

pytestmark = pytest.mark.unit

SAMPLE = Path(__file__).parents[4] / "contracts" / "tests" / "sample-status-changed.json"
NOW = datetime(2026, 12, 5, 7, 0, tzinfo=UTC)


def sample() -> dict[str, Any]:
    body: dict[str, Any] = json.loads(SAMPLE.read_text())
    return body


CONTEXT = WriteContext("tester", "test", None, "token:0123456789abcdef")


def check(data: dict[str, Any]) -> tuple[dict[str, Any], int]:
    return checked(EventName.STATUS_CHANGED, UUID(int=7), NOW, UUID(int=1), 2, CONTEXT, NOW, data)


def test_an_event_that_fits_its_contract_is_sized_as_the_relay_will_publish_it() -> None:
    event = sample()
    data, size = check(event["data"])
    row = SimpleNamespace(
        event_id=UUID(int=7),
        event_type=event["event_type"],
        occurred_at=NOW,
        recorded_at=NOW,
        sequence=2**63 - 1,
        organization_id=UUID(int=1),
        organization_version=2,
        actor=CONTEXT.actor_id,
        correlation_id=None,
        data=str(data),  # as the relay reads it back from the outbox: the text stored
    )
    published = body(row)
    assert size == len(published)
    assert published == encode({**envelope(row), "data": json.loads(data)})
    assert parse_event(published).event_type == "organization.status_changed"


def test_an_events_data_is_what_its_contract_reads_from_plain_values() -> None:
    body = sample()
    plain = {**body["data"], "effective_date": date.fromisoformat(body["data"]["effective_date"])}
    plain["record"] = {**plain["record"], "id": UUID(plain["record"]["id"]), "version": 2}
    written, _ = check(plain)
    data = json.loads(written)
    assert data == OrganizationStatusChanged.model_validate(
        {**body, "data": plain}
    ).data.model_dump(mode="json")
    assert data["effective_date"] == body["data"]["effective_date"]


def test_an_event_its_contract_refuses_is_never_written() -> None:
    body = sample()
    del body["data"]["previous_status"]
    with pytest.raises(ContractBroken, match=r"organization\.status_changed"):
        check(body["data"])


def test_parse_event_takes_bytes_text_and_a_mapping_alike() -> None:
    body = sample()
    text = json.dumps(body)
    events = [parse_event(text.encode()), parse_event(text), parse_event(body)]
    assert {(e.event_type, e.data.record.name) for e in events} == {
        (body["event_type"], body["data"]["record"]["name"])
    }
