"""The indicator catalogue explains every rate the summary reports, in both languages."""

from __future__ import annotations

import pytest

from hoptac.contracts.codes import DIGITAL_FLAGS
from hoptac.reporting.domain.indicators import catalogue

pytestmark = pytest.mark.unit


def test_every_digital_rate_of_the_summary_has_one_indicator() -> None:
    flags = [indicator["flag"] for indicator in catalogue()["indicators"]]
    assert flags == list(DIGITAL_FLAGS)


def test_each_indicator_says_what_it_counts_in_vietnamese_and_english() -> None:
    for indicator in catalogue()["indicators"]:
        assert indicator["code"] == f"digital.{indicator['flag']}"
        for part in ("name", "definition", "numerator", "denominator", "legal_basis"):
            assert set(indicator[part]) == {"vi", "en"}
            assert all(text.strip() for text in indicator[part].values())
        assert "19/CT-TTg" in indicator["legal_basis"]["vi"]
