"""VSIC 2018 business-line codes and the default sector group of each."""

from __future__ import annotations

import pytest

from hoptac.contracts.codes import SectorGroup
from hoptac.registry.domain.vsic import SECTOR_GROUPS, VSIC_DIVISIONS, VsicCatalog

pytestmark = pytest.mark.unit


@pytest.fixture(scope="module")
def vsic() -> VsicCatalog:
    return VsicCatalog.official()


def test_the_catalogue_has_21_sections_and_88_divisions(vsic):
    assert len(vsic.sections) == 21
    assert len(VSIC_DIVISIONS) == 88
    assert vsic.division("03").name == "Khai thác, nuôi trồng thủy sản"
    assert vsic.division("03").section == "A"
    assert vsic.division("04") is None


@pytest.mark.parametrize("code", ["01", "032", "0321", "03221", "6419"])
def test_codes_of_2_to_5_digits_under_a_listed_division_are_accepted(vsic, code):
    assert vsic.check_code(code) is None


def test_a_code_under_a_missing_division_is_refused_naming_the_division(vsic):
    message = vsic.check_code("0410")
    assert message is not None
    assert "'04'" in str(message)


@pytest.mark.parametrize("code", ["1", "123456", "01a", "", "０１"])
def test_codes_that_are_not_2_to_5_ascii_digits_are_refused(vsic, code):
    message = vsic.check_code(code)
    assert message is not None
    assert "2 to 5 digits" in str(message)


@pytest.mark.parametrize(
    ("code", "group"),
    [
        ("0111", "agriculture"),
        ("02", "agriculture"),
        ("0321", "agriculture"),
        ("0893", "agriculture"),  # salt, in a mining division, is reported under agriculture
        ("0810", "industry_handicraft"),
        ("1020", "industry_handicraft"),
        ("3530", "industry_handicraft"),
        ("3600", "environment"),
        ("3811", "environment"),
        ("4101", "construction"),
        ("4620", "trade_services"),
        ("5610", "trade_services"),
        ("5021", "transport"),
        ("6419", "credit"),
        ("6810", "housing"),
        ("84", "other"),
    ],
)
def test_each_business_line_has_a_default_sector_group(vsic, code, group):
    assert vsic.default_sector_group(code) == group


def test_every_division_has_a_default_sector_group(vsic):
    groups = {group.code for group in SECTOR_GROUPS}
    assert {vsic.default_sector_group(code) for code in VSIC_DIVISIONS} <= groups


def test_an_invalid_code_has_no_default_sector_group(vsic):
    with pytest.raises(ValueError, match="'04'"):
        vsic.default_sector_group("04")


def test_the_sector_groups_are_the_contract_codes_with_vietnamese_labels():
    assert [group.code for group in SECTOR_GROUPS] == [group.value for group in SectorGroup]
    labels = {group.code: group.label for group in SECTOR_GROUPS}
    assert labels["agriculture"] == "Nông nghiệp"
    assert labels["industry_handicraft"] == "Công nghiệp - Tiểu thủ công nghiệp"
    assert labels["other"] == "Khác"
