"""A record's quality in six dimensions and its band."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from hoptac.collection.domain.quality import band, quality

pytestmark = pytest.mark.unit

TODAY = date(2026, 12, 5)


def record(**changes: Any) -> dict[str, Any]:
    good: dict[str, Any] = {
        "id": "a",
        "registration_number": "6001000001",
        "name": "Hợp tác xã Nông nghiệp Tân Hưng",
        "kind": "cooperative",
        "status": "operating",
        "registered_on": "2015-03-12",
        "address": {"street": "Ấp 3", "commune_code": "31825", "province_code": "96"},
        "sector": {"group": "agriculture", "vsic": ["0111"]},
        "members_count": 25,
        "workers_count": 12,
        "charter_capital": 500_000_000,
        "legal_representative": {"name": "Nguyễn Văn An"},
        "operating_in_practice": "yes",
        "last_verified_on": "2026-10-01",
        "updated_at": "2026-10-02T08:00:00+07:00",
    }
    return {**good, **changes}


def test_a_complete_fresh_consistent_record_seen_operating_is_green() -> None:
    found = quality(record(), [record(id="b", name="Hợp tác xã Vận tải Sông Đốc")], TODAY)

    assert set(found.dimensions.values()) == {1.0}
    assert (found.score, found.band) == (100.0, "green")


def test_each_dimension_falls_for_what_it_measures() -> None:
    found = quality(
        record(
            members_count=0,
            operating_in_practice="nominal",
            last_verified_on=None,
            updated_at="2024-01-01T00:00:00+07:00",
            address={"province_code": "96", "legacy": {"commune_code": "31825"}},
        ),
        [record(id="b", name="HTX NN Tân Hưng")],
        TODAY,
    )

    assert found.dimensions["freshness"] == 0.0
    assert found.dimensions["consistency"] == pytest.approx(1 / 3)
    assert found.dimensions["validity"] == pytest.approx(1 / 3)
    assert found.dimensions["uniqueness"] == 0.0
    assert found.dimensions["evidence"] == 0.0
    assert found.band == "red"


@pytest.mark.parametrize(
    ("score", "name"),
    [(90.0, "red"), (90.1, "orange"), (95.0, "orange"), (98.0, "yellow"), (98.1, "green")],
)
def test_bands_follow_the_issues_thresholds(score: float, name: str) -> None:
    assert band(score) == name
