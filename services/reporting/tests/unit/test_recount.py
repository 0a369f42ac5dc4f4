"""The recount check names every organisation and field that differs, and nothing else."""

from __future__ import annotations

from datetime import date
from uuid import UUID

import pytest

from hoptac.reporting.domain.facts import facts_of
from hoptac.reporting.domain.recount import differences

from ..histories import FakeRegistry, base_record

pytestmark = pytest.mark.unit


def test_equal_sides_have_no_difference_and_each_drift_is_named() -> None:
    registry = FakeRegistry()
    first = registry.organizations[
        UUID(registry.register(base_record(1, date(2020, 1, 1)))["organization_id"])
    ]
    second = registry.organizations[
        UUID(registry.register(base_record(2, date(2021, 1, 1)))["organization_id"])
    ]
    records = {str(first.id): first.record(), str(second.id): second.record()}
    counted = {key: facts_of(record) for key, record in records.items()}
    assert differences(records, counted) == []

    drifted = dict(counted)
    drifted[str(first.id)] = facts_of({**first.record(), "members_count": 11})
    del drifted[str(second.id)]
    found = differences(records, drifted)
    assert sorted((d.organization_id, d.field, d.registry, d.projection) for d in found) == sorted(
        [
            (str(first.id), "members", 10, 11),
            (str(second.id), "organisation", "present", "(not counted)"),
        ]
    )
    members = next(d for d in found if d.field == "members")
    assert str(members) == f"{first.id}  members: registry 10, projection 11"
