from __future__ import annotations

import copy
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hoptac.contracts.events import REDACTED
from hoptac.registry.domain.record import (
    EMPTY,
    Change,
    apply_changes,
    as_registered,
    diff,
    flatten,
    json_copy,
    merge_patch,
    public_view,
    redact,
    with_defaults,
)

pytestmark = pytest.mark.unit


def test_diff_names_nested_fields_by_path() -> None:
    before = {"name": "A", "address": {"province_code": "96", "commune_code": "31825"}}
    after = {"name": "A", "address": {"province_code": "96", "commune_code": "31834"}}
    assert diff(before, after) == [Change("address.commune_code", "31825", "31834")]


def test_diff_treats_lists_as_one_field() -> None:
    changes = diff({"sector": {"vsic": ["01"]}}, {"sector": {"vsic": ["01", "03"]}})
    assert changes == [Change("sector.vsic", ["01"], ["01", "03"])]


def test_applying_a_diff_rebuilds_the_record() -> None:
    before = {"name": "A", "address": {"province_code": "96", "legacy": {"district_code": "964"}}}
    after = {"name": "B", "address": {"province_code": "96", "legacy": {"district_code": "966"}}}
    assert apply_changes(before, diff(before, after)) == after


def test_merge_patch_merges_objects_and_null_removes() -> None:
    target = {"contact": {"phone": "1", "email": "a@b.vn"}, "name_foreign": "X"}
    patch = {"contact": {"email": None, "website": "w.vn"}, "name_foreign": None}
    assert merge_patch(target, patch) == {"contact": {"phone": "1", "website": "w.vn"}}


def test_public_view_drops_restricted_fields() -> None:
    record = {"legal_representative": {"name": "An", "id_number": "0960", "phone": "09"}}
    assert public_view(record) == {"legal_representative": {"name": "An"}}


def test_public_view_leaves_the_record_whole() -> None:
    record = {"legal_representative": {"name": "An", "phone": "09"}, "address": {"street": "A"}}
    public_view(record)
    assert record == {
        "legal_representative": {"name": "An", "phone": "09"},
        "address": {"street": "A"},
    }


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=30,
)


def _containers(value: Any) -> list[int]:
    """The identities of every dict and list inside `value`, itself included."""
    if isinstance(value, dict):
        return [id(value), *(i for item in value.values() for i in _containers(item))]
    if isinstance(value, list):
        return [id(value), *(i for item in value for i in _containers(item))]
    return []


@given(JSON)
def test_json_copy_is_a_deep_copy_as_copy_deepcopy_makes_it(value: Any) -> None:
    copied = json_copy(value)
    assert copied == copy.deepcopy(value)
    assert not set(_containers(copied)) & set(_containers(value))


# Records as fields may hold them: the nested objects (`NESTED`) and other values, None and
# empty objects among them, keys named as fields are (the order of paths and of keys differs
# only for characters before ".").
KEYS = st.sampled_from(["address", "legacy", "commune_code", "name", "sector", "vsic", "x_y"])
FIELD_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(KEYS, inner, max_size=5),
    max_leaves=30,
)
NESTED_RECORDS = st.dictionaries(KEYS, FIELD_VALUES, max_size=5)


def _ordered(value: Any) -> Any:
    """`value` with each object's keys in order, so that comparing two compares their order."""
    if isinstance(value, dict):
        return [(key, _ordered(item)) for key, item in value.items()]
    if isinstance(value, list):
        return [_ordered(item) for item in value]
    return value


def _registration_changes(record: Any) -> list[Change]:
    """Every field of `record` set, against None, in the order of its path."""
    new = flatten(record)
    return [Change(path, None, new[path]) for path in sorted(new) if new[path] is not None]


@given(NESTED_RECORDS)
def test_a_new_record_is_rebuilt_as_its_changes_from_nothing_rebuild_it(record: Any) -> None:
    current, changes = as_registered(record)
    assert changes == _registration_changes(record)
    assert _ordered(current) == _ordered(apply_changes({}, changes))
    assert not set(_containers(current)) & set(_containers(record))


@given(NESTED_RECORDS)
def test_the_changes_from_nothing_are_those_of_every_field_against_none(record: Any) -> None:
    assert diff({}, record) == _registration_changes(record)


@given(st.dictionaries(st.sampled_from(["a-b", "a", "a.b", "a_b", "address"]), FIELD_VALUES))
def test_a_registrations_changes_are_in_the_order_of_their_paths_whatever_the_keys(
    record: Any,
) -> None:
    assert as_registered(record)[1] == _registration_changes(record)


@given(st.dictionaries(st.sampled_from([*EMPTY, "name", "address"]), FIELD_VALUES, max_size=5))
def test_defaults_fill_what_a_record_lacks_with_copies_keys_in_order(record: Any) -> None:
    filled = with_defaults(record)
    assert _ordered(filled) == _ordered({**copy.deepcopy(EMPTY), **record})
    assert not set(_containers(filled)) & set(_containers(EMPTY))


def test_restricted_changes_show_without_values() -> None:
    changes = redact([Change("legal_representative.phone", "1", "2"), Change("name", "A", "B")])
    assert changes == [
        Change("legal_representative.phone", REDACTED, REDACTED),
        Change("name", "A", "B"),
    ]
