from __future__ import annotations

import pytest

from hoptac.registry.adapters.tokens import RecentPrincipals
from hoptac.registry.domain.access import Principal, Role

pytestmark = pytest.mark.unit


def test_a_token_is_trusted_for_its_time_to_live_only() -> None:
    now = [100.0]
    recent = RecentPrincipals(ttl_seconds=5, clock=lambda: now[0])
    holder = Principal("reviewer", Role.REVIEWER)
    recent.remember("hoptac_abc", holder)
    assert recent.get("hoptac_abc") == holder
    assert recent.get("hoptac_other") is None
    now[0] = 105.5
    assert recent.get("hoptac_abc") is None


def test_it_never_grows_past_its_capacity() -> None:
    recent = RecentPrincipals(ttl_seconds=5, capacity=2)
    for number in range(5):
        recent.remember(f"hoptac_{number}", Principal(str(number), Role.ADMIN))
    assert recent.get("hoptac_4") is not None
    assert recent.get("hoptac_0") is None
