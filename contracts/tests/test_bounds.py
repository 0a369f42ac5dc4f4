"""The bounds the contract promises fit what every projection stores them in."""

from __future__ import annotations

import pytest

from hoptac.contracts.organization import MAX_AMOUNT, MAX_CHARTER_CAPITAL, MAX_PEOPLE

pytestmark = pytest.mark.unit

INT32, INT64 = 2**31 - 1, 2**63 - 1


def test_members_and_workers_fit_a_32_bit_column() -> None:
    assert MAX_PEOPLE <= INT32


def test_charter_capital_summed_over_every_organisation_fits_64_bits() -> None:
    assert MAX_CHARTER_CAPITAL * 900_000 <= INT64


def test_a_year_of_revenue_fits_64_bits_with_room_to_add() -> None:
    assert MAX_AMOUNT * 1_000 <= INT64
