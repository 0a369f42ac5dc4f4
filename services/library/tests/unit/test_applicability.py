"""The documents an organisation's profile lists: in force, its kind, its sector, its province."""

from __future__ import annotations

from typing import Any

import pytest

from hoptac.library.domain.applicability import applies_to

pytestmark = pytest.mark.unit


def document(**fields: Any) -> dict[str, Any]:
    return {"status": "in_force", "kinds": [], "sectors": [], "area": "national", **fields}


def test_a_document_naming_no_kind_or_sector_applies_to_all() -> None:
    assert applies_to(document(), "cooperative_group", "transport", "96")


def test_kind_sector_and_province_must_match_when_named() -> None:
    ocop = document(kinds=["cooperative"], sectors=["agriculture"], area="96")
    assert applies_to(ocop, "cooperative", "agriculture", "96")
    assert not applies_to(ocop, "peoples_credit_fund", "agriculture", "96")
    assert not applies_to(ocop, "cooperative", "transport", "96")
    assert not applies_to(ocop, "cooperative", "agriculture", "01")


@pytest.mark.parametrize("status", ["replaced", "expired", "not_yet_in_force"])
def test_only_what_governs_now_applies(status: str) -> None:
    assert not applies_to(document(status=status), "cooperative", None, None)
