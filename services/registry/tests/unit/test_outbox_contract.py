"""The registry builds every event through the contract's models before it writes it."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from uuid import UUID

import pytest

from hoptac.contracts.codes import EventName
from hoptac.contracts.events import parse_event
from hoptac.registry.adapters.outbox import ContractBroken, encode, envelope, published_size
from hoptac.registry.adapters.repository import OutboxEvent, WriteContext

pytestmark = pytest.mark.unit

SAMPLE = Path(__file__).parents[4] / "contracts" / "tests" / "sample-status-changed.json"
NOW = datetime(2026, 12, 5, 7, 0, tzinfo=UTC)


def sample() -> dict[str, Any]:
    body: dict[str, Any] = json.loads(SAMPLE.read_text())
    return body


def outbox_event(data: dict[str, Any]) -> OutboxEvent:
    return OutboxEvent(
        event_id=UUID(int=7),
        event=EventName.STATUS_CHANGED,
        subject="coop.v1.org.status_changed.96",
        province_code="96",
        occurred_at=NOW,
        data=data,
    )


def test_an_event_that_fits_its_contract_is_sized_as_the_relay_will_publish_it() -> None:
    body = sample()
    event = outbox_event(body["data"])
    context = WriteContext("tester", "test", None, "token:0123456789abcdef")
    size = published_size(event, body["event_type"], UUID(int=1), 2, context, NOW)
    row = SimpleNamespace(
        event_id=event.event_id,
        event_type=body["event_type"],
        occurred_at=NOW,
        recorded_at=NOW,
        sequence=2**63 - 1,
        organization_id=UUID(int=1),
        organization_version=2,
        actor=context.actor_id,
        correlation_id=None,
        data=body["data"],
    )
    published = envelope(row)
    assert size == len(encode(published))
    assert parse_event(encode(published)).event_type == "organization.status_changed"


def test_an_event_its_contract_refuses_is_never_written() -> None:
    body = sample()
    del body["data"]["previous_status"]
    context = WriteContext("tester", "test", None)
    with pytest.raises(ContractBroken, match=r"organization\.status_changed"):
        published_size(outbox_event(body["data"]), body["event_type"], UUID(int=1), 2, context, NOW)


def test_parse_event_takes_bytes_text_and_a_mapping_alike() -> None:
    body = sample()
    text = json.dumps(body)
    events = [parse_event(text.encode()), parse_event(text), parse_event(body)]
    assert {(e.event_type, e.data.record.name) for e in events} == {
        (body["event_type"], body["data"]["record"]["name"])
    }
