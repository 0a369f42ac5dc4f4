"""Events read as values (`event_values`) against the contract's models (`parse_event`), the
oracle: the varied events of the golden documents, each broken at a random place (a value
replaced by another of any JSON type or by a near miss of the rules, a field removed, one
added), must be accepted or refused alike, refused with the contract's own message, and, when
accepted, give the same values, of the same types, and the same document. The same for the
reading search does, which leaves out each changed field's values."""

from __future__ import annotations

import uuid
from typing import Any

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import TypeAdapter, ValidationError

from hoptac.contracts.events import FieldChange, parse_event
from hoptac.contracts.plain import (
    EVENT_VALUES,
    RECORD_EVENT_VALUES,
    NotPlain,
    event_values,
    plain,
)
from hoptac.platform.consumer import Poison
from hoptac.search.adapters.admin_units import official_areas
from hoptac.search.adapters.tantivy_schema import fields_of
from hoptac.search.domain.changes import Upsert
from hoptac.search.domain.documents import document_from_record
from hoptac.search.handlers import REMOVED, decode

from ..conftest import make_event, make_record
from .document_cases import events

pytestmark = pytest.mark.unit

Path = tuple[str | int, ...]

BASES = [orjson.loads(body) for body in events()]
# Besides the cases: an event as the registry sends it, with the changes it made, a removal,
# and a record holding every optional part.
_full = make_record(
    financials=[{"year": 2024, "revenue": 10**9, "profit": -5}],
    legal_representative={"name": "Nguyễn Văn A", "title": "Giám đốc"},
    contact={"phone": "0290 3 123 456", "email": "htx@example.org", "website": None},
    ocop_products=[{"name": "Mật ong", "stars": 4, "certified_on": "2024-05-01"}],
    members_count=120,
    workers_count=8,
    charter_capital=500_000_000,
    suspended_until=None,
    last_verified_on="2026-01-02",
    merged_into=None,
)
_registered = orjson.loads(make_event(_full))
_registered["data"]["changed_fields"] = [
    {"field": "name", "before": None, "after": _full["name"]},
    {"field": "address", "before": None, "after": _full["address"]},
    {"field": "sector.vsic", "before": None, "after": ["0111"]},
]
BASES += [_registered, orjson.loads(make_event(_full, event="removed", version=2))]

# Values near the contract's rules: codes of the wrong length, impossible dates, other events'
# types, bounds, the restricted marker.
NEAR_MISSES = (
    "",
    " ",
    "9",
    "96",
    "960",
    "9a",
    "31825",
    "318250",
    "0111",
    "011111",
    "2026-02-30",
    "2026-11-22",
    "2026-11-22T00:00:00Z",
    "not a uuid",
    str(uuid.UUID(int=7)),
    "organization.registered",
    "organization.removed",
    "organization.merged",
    "organization.status_changed",
    "cooperative",
    "operating",
    "dissolved",
    "yes",
    "agriculture",
    "[restricted]",
    0,
    1,
    2,
    3,
    6,
    -1,
    90.5,
    -181,
    10**13 + 1,
    1_000_001,
    1.5,
    True,
)
JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(10**16), 10**16)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=8)
    | st.sampled_from(NEAR_MISSES),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=6,
)


def _paths(value: Any, path: Path = ()) -> list[Path]:
    found = [path]
    if isinstance(value, dict):
        for key, inner in value.items():
            found += _paths(inner, (*path, key))
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            found += _paths(inner, (*path, index))
    return found


def _broken(event: dict[str, Any], path: Path, how: str, value: Any) -> Any:
    """A deep copy of `event` changed at `path`."""
    copy = orjson.loads(orjson.dumps(event))
    if not path:
        return value
    parent = copy
    for step in path[:-1]:
        parent = parent[step]
    last = path[-1]
    if how == "remove":
        del parent[last]
    elif how == "add" and isinstance(parent[last], dict):
        parent[last]["a_field_from_a_later_release"] = value
    else:
        parent[last] = value
    return copy


def _typed(value: Any) -> Any:
    """A value with the type of every part, so that `1 == True` or an enum equal to its text
    do not pass for the same."""
    if isinstance(value, dict):
        return {key: _typed(inner) for key, inner in value.items()}
    if isinstance(value, list):
        return [_typed(inner) for inner in value]
    return (type(value), value)


def _model_path(body: bytes) -> tuple[Any, Any]:
    """What the contract's model gives: its values, or its error message."""
    try:
        return parse_event(body).model_dump(), None
    except ValidationError as error:
        return None, error.errors()[0]["msg"]


def _document_fields(values: dict[str, Any]) -> dict[str, Any]:
    record = {**values["data"]["record"], "version": values["organization_version"]}
    return fields_of(document_from_record(record, official_areas()))


@settings(max_examples=400, deadline=None)
@given(st.data())
def test_an_event_is_read_as_the_contract_reads_it(data: st.DataObject) -> None:
    event = data.draw(st.sampled_from(BASES))
    path = data.draw(st.sampled_from(_paths(event)))
    how = data.draw(st.sampled_from(("replace", "replace", "remove", "add")))
    if how == "remove" and not path:
        how = "replace"
    body = orjson.dumps(_broken(event, path, how, data.draw(JSON_VALUES)))

    expected, refusal = _model_path(body)
    for validator in (EVENT_VALUES, RECORD_EVENT_VALUES):
        try:
            values = validator.validate_json(body)
        except ValidationError:
            values = None
        assert (values is None) == (expected is None), (path, how, refusal)
    if expected is None:
        with pytest.raises(Poison) as refused:
            decode(body)
        assert str(refused.value) == f"not an organisation event: {refusal}"
        return
    assert _typed(event_values(body)) == _typed(expected)
    changes = [{"field": change["field"]} for change in expected["data"]["changed_fields"]]
    assert _typed(event_values(body, changed_values=False)) == _typed(
        {**expected, "data": {**expected["data"], "changed_fields": changes}}
    )
    change, sequence = decode(body)
    assert sequence == expected["sequence"]
    if expected["event_type"] != REMOVED:
        assert isinstance(change, Upsert)
        assert fields_of(change.document) == _document_fields(expected)


def test_a_body_that_is_not_json_is_refused_with_the_contracts_message() -> None:
    expected, refusal = _model_path(b"{not json")
    assert expected is None
    with pytest.raises(Poison, match="not an organisation event: "):
        decode(b"{not json")
    assert refusal is not None


@pytest.mark.parametrize("event", BASES[:40] + BASES[-2:])
def test_every_case_is_read_as_the_model_gives_it(event: dict[str, Any]) -> None:
    body = orjson.dumps(event)
    assert _typed(event_values(body)) == _typed(parse_event(body).model_dump())


def test_only_a_field_that_refuses_nothing_can_be_left_unread() -> None:
    schema = TypeAdapter(FieldChange).core_schema
    assert "before" not in str(plain(schema, unread={FieldChange: ("before", "after")}))
    with pytest.raises(NotPlain, match="field"):
        plain(schema, unread={FieldChange: ("field",)})  # a text: leaving it out takes any
