"""The fold's shortcuts give what the plain rules give: which paths are counted, the copy of a
stored value, and the registration day read without folding the record."""

from __future__ import annotations

import copy
from datetime import date
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hoptac.reporting.domain import history
from hoptac.reporting.domain.history import (
    COUNTED,
    COUNTED_FIELDS,
    COUNTED_PREFIXES,
    Version,
    current_record,
    is_counted,
)

pytestmark = pytest.mark.unit

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=3), inner),
    max_leaves=20,
)
KEYS = st.sampled_from(["registered_on", "address", "legacy", "x", "digital", "iot"])
PATHS = st.lists(KEYS, min_size=1, max_size=3).map(".".join)
VERSIONS = st.lists(
    st.tuples(
        st.dates(date(2019, 1, 1), date(2021, 1, 1)),
        st.lists(
            st.tuples(PATHS, st.dates().map(date.isoformat) | JSON),
            max_size=6,
            unique_by=lambda change: change[0],
        ),
    ),
    min_size=1,
    max_size=4,
).map(
    lambda drawn: [
        Version(number, "updated", day, tuple(changes))
        for number, (day, changes) in enumerate(drawn, 1)
    ]
)


def _containers(value: Any) -> list[int]:
    if isinstance(value, dict):
        return [id(value), *(i for inner in value.values() for i in _containers(inner))]
    if isinstance(value, list):
        return [id(value), *(i for inner in value for i in _containers(inner))]
    return []


@settings(max_examples=300, deadline=None, derandomize=True)
@given(value=JSON)
def test_a_stored_value_is_copied_as_deepcopy_copies_it_sharing_no_container(value: Any) -> None:
    copied = history.json_copy(value)
    assert copied == copy.deepcopy(value)
    assert type(copied) is type(value)
    assert not set(_containers(copied)) & set(_containers(value))


@settings(max_examples=300, deadline=None, derandomize=True)
@given(path=PATHS | st.sampled_from(sorted(COUNTED_FIELDS)) | st.text(max_size=20))
def test_a_path_is_counted_as_the_rule_says(path: str) -> None:
    rule = path in COUNTED_FIELDS or path.startswith(COUNTED_PREFIXES)
    assert is_counted(path) is rule
    assert COUNTED[path] is rule


def test_paths_from_events_are_remembered_up_to_a_bound() -> None:
    for number in range(history._PATHS_KEPT + 10):
        assert is_counted(f"digital.flag_{number}")
    assert len(COUNTED) <= history._PATHS_KEPT
    assert is_counted("digital.flag_one_more")
    assert not is_counted("name_one_more")


@settings(max_examples=300, deadline=None, derandomize=True)
@given(versions=VERSIONS)
def test_the_registration_day_read_alone_is_the_folded_records(versions: list[Version]) -> None:
    folded = current_record(versions).get("registered_on")
    value = history._registered_on_value(history._in_world_order(versions))
    if isinstance(folded, str):
        assert value == folded
    else:  # which value it is does not matter (the callers look for a day), only that it is none
        assert not isinstance(value, str)
