"""The stored numbers of the coded values are data: each contract value has one, none is ever
renumbered (a change here needs a migration and a rebuild, never an edit in place)."""

from __future__ import annotations

import pytest

from hoptac.contracts.codes import Kind, SectorGroup, Status
from hoptac.reporting.adapters import codes

pytestmark = pytest.mark.unit

# What the timelines of every deployment hold: copied here on purpose, not derived.
STORED = {
    "kind": {
        "cooperative": 1,
        "cooperative_union": 2,
        "cooperative_group": 3,
        "peoples_credit_fund": 4,
    },
    "status": {
        "operating": 1,
        "suspended": 2,
        "dissolving": 3,
        "dissolved": 4,
        "bankrupt": 5,
        "certificate_revoked": 6,
    },
    "sector_group": {
        "agriculture": 1,
        "industry_handicraft": 2,
        "construction": 3,
        "trade_services": 4,
        "transport": 5,
        "credit": 6,
        "environment": 7,
        "housing": 8,
        "other": 9,
    },
}


def test_the_stored_numbers_never_change() -> None:
    assert {column: dict(numbers) for column, numbers in codes.CODES.items()} == STORED


@pytest.mark.parametrize(
    ("column", "values"), [("kind", Kind), ("status", Status), ("sector_group", SectorGroup)]
)
def test_every_contract_value_has_its_own_number(column: str, values: type[Kind]) -> None:
    numbers = codes.CODES[column]
    assert set(numbers) == {value.value for value in values}
    assert len(set(numbers.values())) == len(numbers)


def test_a_row_encoded_then_decoded_is_the_same_row() -> None:
    row = {"kind": "cooperative_group", "status": "bankrupt", "sector_group": "housing", "x": 1}
    assert codes.decode(codes.encode(dict(row))) == row
    assert codes.decode({"status_class": True, "sector_class": False}) == {
        "status_class": "operating",
        "sector_class": "non_agriculture",
    }
