"""A proposal beside its record: the value at the proposal's base version read back from the
registry's history equals the record as it was at that version, whatever changed since; the
fields changed since are marked."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hoptac.portal.domain.proposal_compare import side_by_side, value_at

pytestmark = pytest.mark.unit

PATHS = ("name", "members_count", "address.commune_code", "address.street")


def flat_set(record: dict[str, Any], path: str, value: Any) -> None:
    *parents, leaf = path.split(".")
    node = record
    for key in parents:
        node = node.setdefault(key, {})
    node[leaf] = value


# Each version: the values it sets, by path (the registry's changes, before and after).
versions_strategy = st.lists(
    st.dictionaries(st.sampled_from(PATHS), st.integers(0, 5), min_size=1), min_size=1, max_size=8
)


@given(steps=versions_strategy, data=st.data())
def test_the_value_then_is_the_records_value_at_the_base_version(
    steps: list[dict[str, int]], data: st.DataObject
) -> None:
    record: dict[str, Any] = {}
    as_of: list[dict[str, Any]] = []  # the record as each version left it
    versions = []
    for number, step in enumerate(steps, start=1):
        changes = [
            {"field": path, "before": value_at(record, path), "after": value}
            for path, value in step.items()
            if value_at(record, path) != value
        ]
        for path, value in step.items():
            flat_set(record, path, value)
        versions.append({"version": number, "changes": changes})
        as_of.append({path: value_at(record, path) for path in PATHS})
    base = data.draw(st.integers(1, len(steps)))
    change = {"record": {"members_count": 9, "address": {"commune_code": 9, "street": 9}}}

    sides = side_by_side(change, record, versions, base)

    assert [side.path for side in sides] == [
        "members_count",
        "address.commune_code",
        "address.street",
    ]
    for side in sides:
        assert side.then == as_of[base - 1][side.path]
        assert side.now == value_at(record, side.path)
        assert side.changed_since == (side.then != side.now)
        assert side.proposed == 9


def test_a_status_change_is_set_beside_the_records_status() -> None:
    versions = [{"version": 3, "changes": [{"field": "status", "before": "operating",
                                            "after": "suspended"}]}]  # fmt: skip

    (side,) = side_by_side({"record": {}, "status": "dissolved"}, {"status": "suspended"},
                           versions, 2)  # fmt: skip

    assert (side.path, side.then, side.now, side.proposed) == (
        "status",
        "operating",
        "suspended",
        "dissolved",
    )
    assert side.changed_since


def test_a_new_registration_has_only_what_it_proposes() -> None:
    sides = side_by_side(
        {"record": {"name": "HTX Mới", "sector": {"group": "other"}}}, {}, [], None
    )

    assert [(s.path, s.then, s.now, s.proposed) for s in sides] == [
        ("name", None, None, "HTX Mới"),
        ("sector.group", None, None, "other"),
    ]
    assert not any(s.changed_since for s in sides)
