"""The rules of an annual update campaign: its deadline, who runs it, its completion rate."""

from __future__ import annotations

from datetime import date

import pytest

from hoptac.collection.domain.campaigns import (
    BadCampaign,
    CommuneProgress,
    check_deadline,
    default_deadline,
    require_campaign_staff,
    require_past_deadline,
    totals,
)
from hoptac.collection.domain.errors import Conflict, NotAllowed
from hoptac.platform.identity import Caller

pytestmark = pytest.mark.unit


def test_the_deadline_is_the_15th_of_december_of_the_year_and_stays_in_it() -> None:
    assert default_deadline(2026) == date(2026, 12, 15)
    check_deadline(2026, date(2026, 11, 30))
    with pytest.raises(BadCampaign):
        check_deadline(2026, date(2027, 1, 5))


def test_records_lapse_only_after_the_deadline_day() -> None:
    with pytest.raises(Conflict):
        require_past_deadline(date(2026, 12, 15), date(2026, 12, 15))
    require_past_deadline(date(2026, 12, 15), date(2026, 12, 16))


@pytest.mark.parametrize(
    ("caller", "allowed"),
    [
        (Caller("lan", "reviewer"), True),
        (Caller("an", "admin", ("96",)), True),
        (Caller("binh", "reviewer", ("01",)), False),
        (Caller("chi", "area_officer", ("96",)), False),
        (Caller("cuc", "agency_reader"), False),
    ],
)
def test_only_the_provinces_reviewers_and_admins_run_a_campaign(
    caller: Caller, allowed: bool
) -> None:
    if allowed:
        require_campaign_staff(caller, "96")
    else:
        with pytest.raises(NotAllowed):
            require_campaign_staff(caller, "96")


def test_the_completion_rate_per_commune_and_in_all() -> None:
    rows = [CommuneProgress("31825", 3, 1, 0), CommuneProgress("31834", 0, 0, 0)]

    assert rows[0].rate == 33.3
    assert rows[1].rate is None
    assert totals(rows).as_json() == {
        "commune_code": None,
        "in_scope": 3,
        "updated": 1,
        "not_updated": 2,
        "lapsed": 0,
        "rate": 33.3,
    }
