"""Events checked into plain dicts (hoptac.contracts.plain, hoptac.contracts.plain) pass and
fail exactly as the contract's models do, and become the same versions and records as through
the models.

Envelopes of every event type, some with OCOP products and a suspension, are mutated at random
(a value replaced by another of any type, or one near a bound; a field removed; a field added)
and read both ways."""

from __future__ import annotations

import copy
import json
import uuid
from datetime import date
from typing import Any

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from hoptac.contracts import plain as contract_plain
from hoptac.contracts.events import parse_event
from hoptac.contracts.plain import EVENT_VALUES
from hoptac.reporting.adapters import plain_events
from hoptac.reporting.adapters.event_mapping import (
    COUNTED_PART,
    IncomingEvent,
    NotAnEvent,
    from_envelope,
    from_message,
)
from hoptac.reporting.domain.history import Version, is_counted

from ..histories import FakeRegistry, base_record

pytestmark = pytest.mark.unit


def _envelopes() -> list[dict[str, Any]]:
    registry = FakeRegistry()
    first = registry.register(
        base_record(
            1,
            date(2020, 3, 1),
            ocop_products=[{"name": "Mật ong", "stars": 4, "certified_on": "2021-05-01"}],
            digital={"computer": True, "internet": True},
        )
    )
    org_id = uuid.UUID(first["organization_id"])
    bare = base_record(2, date(2021, 1, 1), members_count=None)
    del bare["digital"]
    envelopes = [
        first,
        registry.register(bare),
        registry.update(org_id, date(2022, 1, 1), {"members_count": 40, "sector.group": "other"}),
        registry.change_status(org_id, date(2023, 2, 2), "suspended"),
        registry.remove(org_id),
    ]
    merged = copy.deepcopy(envelopes[2])
    merged["event_type"] = "organization.merged"
    merged["data"]["merged_into"] = str(uuid.uuid4())
    return [*envelopes, merged]


ENVELOPES = _envelopes()
ENVELOPE = parse_event(ENVELOPES[0])  # a model, as no default of a plain schema may be

VALUES = st.one_of(
    st.sampled_from(
        [
            None,
            True,
            False,
            0,
            -1,
            1,
            2,
            3,
            6,
            2.5,
            1e300,
            10**6,
            10**6 + 1,
            10**13,
            10**13 + 1,
            2**63,
            "",
            "x",
            "96",
            "964",
            "32025",
            "0321",
            "2020-02-30",
            "2020-03-01",
            "2020-03-01T07:00:00+07:00",
            "2020-03-01T00:00:00",
            "operating",
            "cooperative",
            "agriculture",
            "yes",
            "organization.updated",
            "organization.merged",
            "organization.status_changed",
            "organization.exploded",
            str(uuid.uuid4()),
            [],
            {},
            ["0321"],
            [{"name": "a", "stars": 5}],
            {"province_code": "96"},
            {"field": "members_count", "after": 3},
        ]
    ),
    st.integers(),
    st.text(max_size=12),
)
EXTRA_KEYS = ["merged_into", "previous_status", "status", "surprise", "legacy", "digital"]


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    paths = [prefix]
    if isinstance(value, dict):
        for key, child in value.items():
            paths += _paths(child, (*prefix, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            paths += _paths(child, (*prefix, index))
    return paths


@st.composite
def mutated(draw: st.DrawFn) -> dict[str, Any]:
    envelope = copy.deepcopy(draw(st.sampled_from(ENVELOPES)))
    for _ in range(draw(st.integers(0, 3))):
        path = draw(st.sampled_from(_paths(envelope)[1:]))
        parent = envelope
        for key in path[:-1]:
            parent = parent[key]
        operation = draw(st.sampled_from(["replace", "remove", "add"]))
        if operation == "replace":
            parent[path[-1]] = copy.deepcopy(draw(VALUES))
        elif operation == "remove":
            del parent[path[-1]]
        elif isinstance(parent, dict):
            parent[draw(st.sampled_from(EXTRA_KEYS))] = copy.deepcopy(draw(VALUES))
    return envelope


def by_the_contract(raw: bytes | dict[str, Any]) -> IncomingEvent | None:
    """What the models make of it (the mapping before plain events), None where they refuse."""
    try:
        event = parse_event(raw)
    except ValidationError:
        return None
    data = event.data
    kind = event.event_type.removeprefix("organization.")
    return IncomingEvent(
        organization_id=event.organization_id,
        version=Version(
            event.organization_version,
            kind,
            data.effective_date,
            tuple((c.field, c.after) for c in data.changed_fields if is_counted(c.field)),
        ),
        sequence=event.sequence,
        recorded_at=event.recorded_at,
        record=None
        if kind == "registered" and event.organization_version == 1
        else data.record.model_dump(mode="json", include=COUNTED_PART),
    )


def by_plain_events(raw: bytes | dict[str, Any]) -> IncomingEvent | None:
    try:
        return from_message(raw) if isinstance(raw, bytes) else from_envelope(raw)
    except NotAnEvent:
        return None


def plain_refuses(raw: bytes | dict[str, Any]) -> bool:
    try:
        if isinstance(raw, bytes):
            EVENT_VALUES.validate_json(raw)
        else:
            EVENT_VALUES.validate_python(raw)
    except ValidationError:
        return True
    return False


@settings(max_examples=1500, deadline=None)
@given(mutated(), st.booleans())
def test_the_same_events_pass_and_become_the_same_versions(
    envelope: dict[str, Any], as_bytes: bool
) -> None:
    raw: bytes | dict[str, Any] = json.dumps(envelope).encode() if as_bytes else envelope
    expected = by_the_contract(raw)
    assert plain_refuses(raw) == (expected is None)
    assert by_plain_events(raw) == expected


def test_the_plain_values_are_the_models_dump() -> None:
    for envelope in ENVELOPES:
        plain = EVENT_VALUES.validate_json(orjson.dumps(envelope))
        model = parse_event(envelope)
        assert plain == model.model_dump()
        assert plain_events.RECORD.to_python(
            plain["data"]["record"], mode="json", include=COUNTED_PART
        ) == model.data.record.model_dump(mode="json", include=COUNTED_PART)


def test_a_refusal_is_reported_in_the_contracts_words() -> None:
    envelope = copy.deepcopy(ENVELOPES[0])
    envelope["data"]["record"] = "not a record"
    with pytest.raises(NotAnEvent, match="OrganizationRecord"):
        from_envelope(envelope)


def test_a_contract_with_a_validator_or_a_model_as_a_default_is_not_made_plain() -> None:
    schema = {"type": "function-after", "function": {"type": "no-info", "function": print}}
    with pytest.raises(contract_plain.NotPlain):
        contract_plain.plain({"type": "nullable", "schema": schema})
    with pytest.raises(contract_plain.NotPlain):
        contract_plain.plain({"type": "default", "schema": {"type": "any"}, "default": ENVELOPE})
