"""Events become versions with only the counted fields; anything else is refused as poison."""

from __future__ import annotations

from datetime import date

import pytest

from hoptac.reporting.adapters.event_mapping import NotAnEvent, from_envelope, from_message

from ..histories import FakeRegistry, as_bytes, base_record

pytestmark = pytest.mark.unit


def test_a_registration_keeps_the_counted_fields_only() -> None:
    registry = FakeRegistry()
    envelope = registry.register(base_record(1, date(2020, 3, 1)))
    event = from_message(as_bytes(envelope))
    fields = {name for name, _ in event.version.changes}
    assert "members_count" in fields
    assert "address.legacy.district_code" in fields
    assert "name" not in fields
    assert event.version.event == "registered"
    assert event.version.effective_date == date(2020, 3, 1)
    assert from_envelope(envelope) == event


@pytest.mark.parametrize(
    "body",
    [b"not json", b"{}", b'{"event_type": "organization.exploded"}', b"[1, 2]"],
)
def test_a_message_that_is_not_an_event_is_refused(body: bytes) -> None:
    with pytest.raises(NotAnEvent):
        from_message(body)
