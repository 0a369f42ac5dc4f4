"""The outbox checks each event with the contract's plain validator and writes its data with
orjson: against the contract's models (the oracle, as `checked` was written before), every
event type the registry emits, built by the domain and then broken at random (a value replaced
by another of any type, Python's included, or by a near miss of the rules; a field removed; one
added; the envelope's values changed), must be stored as the same text and sized the same, or
refused with the same error, or fail the same way."""

from __future__ import annotations

import copy
import decimal
import enum
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, timezone
from types import SimpleNamespace
from typing import Any

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from hoptac.contracts.codes import EventName, Kind, Status
from hoptac.contracts.events import EVENT_MODELS
from hoptac.platform.json_columns import JsonText
from hoptac.registry.adapters.event_mapping import event_data, occurred_at
from hoptac.registry.adapters.outbox import ContractBroken, checked, encode, envelope
from hoptac.registry.adapters.repository import WriteContext
from hoptac.registry.domain import organization as domain
from hoptac.registry.domain.history import Version
from hoptac.registry.domain.organization import Organization
from hoptac.registry.domain.record import Change, Record
from hoptac.registry.domain.validation import ReferenceData

pytestmark = pytest.mark.unit

TODAY = date(2026, 12, 5)
NOW = datetime(2026, 12, 5, 7, 0, 0, 123456, tzinfo=UTC)
CONTEXT = WriteContext("tester", "test", "proposal:0b7c", "token:0123456789abcdef")
WIDEST_SEQUENCE = 2**63 - 1


def by_the_models(
    event_type: EventName,
    event_id: uuid.UUID,
    occurred: datetime,
    organization_id: uuid.UUID,
    organization_version: int,
    context: WriteContext,
    now: datetime,
    data: dict[str, Any],
) -> tuple[JsonText, int]:
    """`checked` as it was: the envelope through its event's model, `data` as the model
    writes it."""
    row = SimpleNamespace(
        event_id=event_id,
        event_type=event_type.event_type,
        occurred_at=occurred,
        recorded_at=now,
        sequence=WIDEST_SEQUENCE,
        organization_id=organization_id,
        organization_version=organization_version,
        actor=context.actor_id,
        correlation_id=context.correlation_id,
        data=data,
    )
    body = envelope(row)
    try:
        event = EVENT_MODELS[event_type].model_validate(body)
    except ValidationError as error:
        raise ContractBroken(
            f"{event_type.event_type} does not match its contract: {error}"
        ) from error
    written = event.data.model_dump_json()
    body["data"] = orjson.Fragment(written)
    return JsonText(written), len(encode(body))


@dataclass(frozen=True)
class Emitted:
    """What the registry gives `checked` for one event (`event_mapping.outbox_event`)."""

    event: EventName
    organization_id: uuid.UUID
    version: int
    occurred_at: datetime
    data: dict[str, Any]

    def arguments(self) -> list[Any]:
        return [
            self.event,
            uuid.UUID(int=7),
            self.occurred_at,
            self.organization_id,
            self.version,
            CONTEXT,
            NOW,
            copy.deepcopy(self.data),
        ]


def _emitted(org: Organization, version: Version) -> Emitted:
    """The event of `version`, new (the registration of `org`) or applied to `org`."""
    record: Record = org.record
    before: Record = {}
    if version.version > 1:
        record, before = Organization(org.id, [*org.versions, version]).record, org.record
    return Emitted(
        version.event,
        org.id,
        version.version,
        occurred_at(version.effective_date, NOW),
        event_data(org.id, record, version, before, NOW),
    )


@pytest.fixture(scope="module")
def events(reference: ReferenceData, make_body: Callable[..., dict[str, Any]]) -> list[Emitted]:
    """An event of each type the registry emits, from registrations plain and full."""
    bodies = [
        make_body(),
        make_body(name_foreign=None, legal_representative=None, contact=None, digital={}),
        make_body(
            name_foreign="Tan Hung Agricultural Cooperative",
            address={
                "street": "Ấp 3",
                "province_code": "96",
                "commune_code": "31825",
                "lat": 9.2941,
                "lon": 105.7278,
            },
            contact={"phone": "0290 3 123 456", "email": "htx@example.org"},
            financials=[{"year": 2024, "revenue": 10**9, "profit": -5}],
            ocop_products=[{"name": "Mật ong", "stars": 4, "certified_on": "2024-05-01"}],
        ),
    ]
    made = []
    orgs = []
    for n, body in enumerate(bodies):
        body["registration_number"] = f"60010000{n:02d}"
        org = domain.registered(uuid.UUID(int=100 + n), body, reference, TODAY)
        orgs.append(org)
        made.append(_emitted(org, org.versions[0]))
    first, second, third = orgs
    update = domain.update(
        first,
        {"name": "Hợp tác xã Tân Hưng Mới", "members_count": 40, "contact": {"phone": "0912"}},
        None,
        reference,
        TODAY,
        reason="đổi tên",
    )
    assert update is not None
    suspended = domain.change_status(
        second, Status.SUSPENDED, date(2026, 1, 5), "tạm ngừng", date(2026, 12, 31), TODAY
    )
    dissolving = domain.change_status(first, Status.DISSOLVING, None, "giải thể", None, TODAY)
    merged = domain.merge(third, first, date(2025, 6, 1), "hợp nhất", TODAY)
    removed = domain.remove(second, "nhập nhầm", TODAY)
    for org, version in (
        (first, update),
        (second, suspended),
        (first, dissolving),
        (third, merged),
        (second, removed),
    ):
        made.append(_emitted(org, version))
    return made


class Colour(enum.Enum):
    RED = "red"


# Values near the contract's rules, and Python values the registry could hand over by mistake.
NEAR_MISSES = (
    "",
    "96",
    "960",
    "31825",
    "0111",
    "2026-02-30",
    "2026-11-22",
    "2026-11-22T00:00:00Z",
    "not a uuid",
    str(uuid.UUID(int=9)),
    "cooperative",
    "dissolved",
    "[restricted]",
    "\ud800",  # a lone surrogate: no JSON writer takes it
    0,
    -1,
    3,
    6,
    90.5,
    -181,
    10**13 + 1,
    1_000_001,
    2**63,
    2**64,
    -(2**63) - 1,
    10**30,
    1.5,
    -0.0,
    1e16,
    5e-324,
    float("nan"),
    float("inf"),
    True,
    uuid.UUID(int=11),
    date(1, 1, 1),
    date(2026, 11, 22),
    datetime(2026, 11, 22, 8, 30),
    datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=7, minutes=6, seconds=40))),
    time(7, 0),
    time(7, 0, tzinfo=UTC),
    Kind.COOPERATIVE,
    Status.DISSOLVED,
    EventName.MERGED,
    Colour.RED,
    decimal.Decimal("1.10"),
    b"bytes",
    (1, "two"),
    frozenset({3}),
    Change("name", None, "A"),
    {1: "a key not text"},
    JsonText('{"a": 1}'),
)
VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.text(max_size=8)
    | st.dates()
    | st.datetimes(timezones=st.none() | st.timezones())
    | st.uuids()
    | st.sampled_from(NEAR_MISSES),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=6,
)
EXTRA_KEYS = ["merged_into", "previous_status", "status", "surprise", "legacy", "digital"]
# The envelope's own values, by their place among `checked`'s arguments.
ENVELOPE_VALUES = {
    1: st.uuids() | st.sampled_from(["not a uuid", str(uuid.UUID(int=3)), 7]),
    2: st.datetimes(timezones=st.none() | st.timezones()) | st.sampled_from(["today", TODAY]),
    3: st.uuids() | st.sampled_from(["not a uuid", None]),
    4: st.sampled_from([0, -1, 2, 2**63, 2**70, True, "2", 2.0, 2.5]),
    5: st.sampled_from(
        [
            WriteContext("a", "b", None),
            WriteContext("a", "b", "x" * 300, "system"),
            WriteContext("a", "b", 5, None),  # type: ignore[arg-type]
        ]
    ),
    6: st.datetimes(timezones=st.none() | st.timezones()),
}

Path = tuple[str | int, ...]


def _paths(value: Any, path: Path = ()) -> list[Path]:
    found = [path]
    if isinstance(value, dict):
        for key, inner in value.items():
            found += _paths(inner, (*path, key))
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            found += _paths(inner, (*path, index))
    return found


@st.composite
def broken(draw: st.DrawFn, events: list[Emitted]) -> list[Any]:
    """`checked`'s arguments for an event, changed at random in up to three places."""
    arguments = draw(st.sampled_from(events)).arguments()
    data = arguments[-1]
    for _ in range(draw(st.integers(0, 3))):
        where = draw(st.sampled_from(["data", "data", "data", "envelope", "event type"]))
        if where == "envelope":
            place = draw(st.sampled_from(sorted(ENVELOPE_VALUES)))
            arguments[place] = draw(ENVELOPE_VALUES[place])
            continue
        if where == "event type":
            arguments[0] = draw(st.sampled_from(list(EventName)))
            continue
        path = draw(st.sampled_from(_paths(data)[1:]))
        parent = data
        for step in path[:-1]:
            parent = parent[step]
        how = draw(st.sampled_from(["replace", "replace", "remove", "add"]))
        if how == "replace":
            parent[path[-1]] = draw(VALUES)
        elif how == "remove":
            del parent[path[-1]]
        elif isinstance(parent, dict):
            parent[draw(st.sampled_from(EXTRA_KEYS))] = draw(VALUES)
    return arguments


def outcome(check: Callable[..., tuple[JsonText, int]], arguments: list[Any]) -> Any:
    """What `check` stores and sizes, or how it fails: its exception's type and message."""
    try:
        written, size = check(*copy.deepcopy(arguments))
    except Exception as error:  # the failure itself is compared
        return type(error), str(error)
    assert type(written) is JsonText
    return str(written), size


def test_every_event_type_the_registry_emits_is_among_the_cases(events: list[Emitted]) -> None:
    assert {event.event for event in events} == set(EventName)


def test_every_event_the_registry_emits_is_written_as_its_model_writes_it(
    events: list[Emitted],
) -> None:
    for event in events:
        expected = outcome(by_the_models, event.arguments())
        assert isinstance(expected[1], int), expected
        assert outcome(checked, event.arguments()) == expected


@settings(max_examples=1500, deadline=None)
@given(st.data())
def test_an_event_is_stored_refused_or_failed_as_through_the_models(
    events: list[Emitted], data: st.DataObject
) -> None:
    arguments = data.draw(broken(events))
    assert outcome(checked, arguments) == outcome(by_the_models, arguments)
