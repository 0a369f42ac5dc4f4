"""An OCOP product counts from the day it was certified, not from the day it was recorded."""

from __future__ import annotations

from datetime import date
from uuid import UUID

import pytest

from hoptac.reporting.domain.facts import facts_on, timeline

from ..histories import FakeRegistry, base_record

pytestmark = pytest.mark.unit

HONEY = {"name": "Mật ong hoa tràm U Minh", "stars": 4, "certified_on": "2023-05-10"}
SALT = {"name": "Muối Bạc Liêu", "stars": 3}  # no certification day: counts from its record


def ocop_on(registry: FakeRegistry, day: date) -> tuple[int, int, int] | None:
    (org,) = registry.organizations.values()
    facts = facts_on(timeline(org.own_versions(), org.record()), day)
    return None if facts is None else facts.ocop


def test_a_product_certified_after_it_was_recorded_counts_from_its_certification() -> None:
    registry = FakeRegistry()
    registry.register(base_record(1, date(2019, 3, 1)))
    org_id = UUID(registry.log[0]["organization_id"])
    registry.update(org_id, date(2020, 1, 1), {"ocop_products": [HONEY, SALT]})

    assert ocop_on(registry, date(2019, 12, 31)) == (0, 0, 0)
    assert ocop_on(registry, date(2020, 6, 1)) == (1, 0, 0)
    assert ocop_on(registry, date(2023, 5, 9)) == (1, 0, 0)
    assert ocop_on(registry, date(2023, 5, 10)) == (1, 1, 0)
