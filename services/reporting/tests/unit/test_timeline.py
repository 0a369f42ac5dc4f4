"""Timelines of hand-written histories: late data, corrections, removal, missing versions."""

from __future__ import annotations

from datetime import date
from uuid import UUID

import pytest

from hoptac.reporting.domain.facts import facts_on, timeline

from ..histories import FakeRegistry, base_record

pytestmark = pytest.mark.unit


def test_a_change_entered_late_lands_on_its_effective_day() -> None:
    registry = FakeRegistry()
    org_id = registry.register(base_record(1, date(2020, 3, 1)))["organization_id"]
    org = registry.organizations[UUID(org_id)]
    registry.change_status(org.id, date(2022, 7, 1), "dissolved")
    registry.update(org.id, date(2021, 1, 1), {"members_count": 40})  # entered after, dated before
    intervals = timeline(org.own_versions())
    assert facts_on(intervals, date(2020, 2, 29)) is None
    assert facts_on(intervals, date(2020, 3, 1)).members == 10  # type: ignore[union-attr]
    assert facts_on(intervals, date(2021, 1, 1)).members == 40  # type: ignore[union-attr]
    on_day = facts_on(intervals, date(2022, 7, 1))
    assert on_day is not None
    assert (on_day.status, on_day.members) == ("dissolved", 40)


def test_a_removed_organisation_has_no_timeline() -> None:
    registry = FakeRegistry()
    org = registry.organizations[
        UUID(registry.register(base_record(1, date(2020, 3, 1)))["organization_id"])
    ]
    registry.remove(org.id)
    assert timeline(org.own_versions()) == []


def test_without_its_registration_the_latest_record_counts_from_its_registration_day() -> None:
    registry = FakeRegistry()
    org = registry.organizations[
        UUID(registry.register(base_record(1, date(2020, 3, 1)))["organization_id"])
    ]
    registry.update(org.id, date(2021, 5, 5), {"workers_count": 9})
    later_only = [v for v in org.own_versions() if v.version == 2]
    intervals = timeline(later_only, org.record())
    assert len(intervals) == 1
    assert intervals[0].valid_from == date(2020, 3, 1)
    assert intervals[0].facts.workers == 9


def test_a_corrected_registration_day_moves_the_start_of_the_count() -> None:
    registry = FakeRegistry()
    org = registry.organizations[
        UUID(registry.register(base_record(1, date(2020, 3, 1)))["organization_id"])
    ]
    registry.update(org.id, date(2020, 3, 1), {"registered_on": "2020-06-01"})
    intervals = timeline(org.own_versions())
    assert facts_on(intervals, date(2020, 5, 31)) is None
    assert facts_on(intervals, date(2020, 6, 1)) is not None
