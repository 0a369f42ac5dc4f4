"""Numbers, dates and rates as Vietnamese and English readers write them."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hoptac.portal.domain.formatting import format_date, format_money, format_number, format_rate

pytestmark = pytest.mark.unit


def test_vietnamese_groups_thousands_with_dots_and_english_with_commas() -> None:
    assert format_number(4497, "vi") == "4.497"
    assert format_number(4497, "en") == "4,497"
    assert format_number(1_234_567, "vi") == "1.234.567"
    assert format_number(277, "vi") == "277"


def test_rates_have_one_decimal_with_the_readers_decimal_mark() -> None:
    assert format_rate(0.4505, "vi") == "45,1 %"
    assert format_rate(0.4505, "en") == "45.1%"
    assert format_rate(None, "vi") == "–"


def test_dates_are_day_first_from_dates_and_iso_text() -> None:
    assert format_date(date(2022, 7, 30)) == "30/07/2022"
    assert format_date("2022-07-30") == "30/07/2022"
    assert format_date("2024-01-02T03:04:05+00:00") == "02/01/2024"
    assert format_date(None) == "–"


def test_money_is_in_dong() -> None:
    assert format_money(1_500_000_000, "vi") == "1.500.000.000 ₫"


@given(st.integers(min_value=0, max_value=10**15))
def test_a_vietnamese_number_reads_back_to_itself(value: int) -> None:
    assert int(format_number(value, "vi").replace(".", "")) == value
