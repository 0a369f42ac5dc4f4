"""Addresses checked against the official administrative units (real data, offline)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from hoptac.platform.catalogue import render
from hoptac.registry.adapters.admin_units import OfficialAdministrativeUnits, official_units
from hoptac.registry.domain.areas import check_address, derive_current_commune, unit_short_name

pytestmark = pytest.mark.unit

CA_MAU, CAN_THO, BAC_LIEU_LEGACY = "96", "92", "95"
PHUONG_TAN_THANH = "32025"  # current, Cà Mau
PHUONG_BAC_LIEU = "31825"  # current, Cà Mau; also the code of legacy Phường 1 (TP Bạc Liêu)
TP_BAC_LIEU, HUYEN_CAI_NUOC = "954", "969"  # legacy districts of Bạc Liêu and Cà Mau
LEGACY_PHUONG_2_BAC_LIEU = "31813"  # went whole into Phường Bạc Liêu
LEGACY_XA_DONG_HUNG = "32142"  # Cái Nước; split between Xã Tân Hưng and Xã Cái Nước


@pytest.fixture(scope="module")
def units() -> OfficialAdministrativeUnits:
    return official_units()


def only_problem(problems: list) -> tuple[str, str]:
    assert len(problems) == 1, problems
    return problems[0].field, render(problems[0].message, "en")


def test_the_data_holds_34_current_and_63_legacy_provinces(units):
    assert len(units.provinces()) == 34
    assert sum(len(units.communes_of(p.code)) for p in units.provinces()) == 3321
    assert units.province(CA_MAU).name == "Tỉnh Cà Mau"
    assert units.legacy_province(BAC_LIEU_LEGACY).name == "Tỉnh Bạc Liêu"
    assert units.province(BAC_LIEU_LEGACY) is None


def test_every_legacy_commune_leads_to_communes_of_the_province_that_absorbed_it(units):
    for province in units.provinces():
        for legacy_province in units.legacy_provinces_of(province.code):
            assert units.current_province_for_legacy(legacy_province.code) == province.code
            for commune in units.legacy_communes_of(legacy_province.code):
                current = [
                    units.commune(c) for c in units.current_communes_for_legacy(commune.code)
                ]
                assert current, commune
                assert {c.province_code for c in current} == {province.code}, commune


def test_a_current_commune_of_the_province_is_accepted(units):
    assert check_address(units, CA_MAU, PHUONG_TAN_THANH, None) == []


def test_a_commune_in_another_province_is_refused_naming_where_it_lies(units):
    field, message = only_problem(check_address(units, CAN_THO, PHUONG_TAN_THANH, None))
    assert field == "address.commune_code"
    assert "Phường Tân Thành" in message
    assert "Tỉnh Cà Mau" in message
    assert "Thành phố Cần Thơ" in message


def test_an_unknown_province_is_refused_saying_there_are_34_since_the_reform(units):
    field, message = only_problem(check_address(units, "99", None, None))
    assert field == "address.province_code"
    assert "34 provinces" in message
    assert "1 July 2025" in message


def test_a_province_code_without_zero_padding_gets_the_padded_one_suggested(units):
    _, message = only_problem(check_address(units, "1", None, None))
    assert "'01'" in message


def test_a_legacy_only_province_is_refused_as_current_naming_the_province_that_absorbed_it(units):
    field, message = only_problem(check_address(units, BAC_LIEU_LEGACY, None, None))
    assert field == "address.province_code"
    assert "Tỉnh Bạc Liêu" in message
    assert "part of Tỉnh Cà Mau" in message
    assert "'96'" in message


def test_a_legacy_commune_sent_as_current_is_refused_naming_its_current_commune(units):
    field, message = only_problem(check_address(units, CA_MAU, LEGACY_PHUONG_2_BAC_LIEU, None))
    assert field == "address.commune_code"
    assert "address.legacy.commune_code" in message
    assert f"'{PHUONG_BAC_LIEU}' (Phường Bạc Liêu)" in message


def test_a_split_legacy_commune_sent_as_current_lists_the_communes_it_went_into(units):
    _, message = only_problem(check_address(units, CA_MAU, LEGACY_XA_DONG_HUNG, None))
    assert "Xã Đông Hưng" in message
    assert "split" in message
    assert "Xã Tân Hưng" in message
    assert "Xã Cái Nước" in message


def test_a_consistent_legacy_chain_is_accepted_as_a_mapping_or_an_object(units):
    codes = {
        "province_code": BAC_LIEU_LEGACY,
        "district_code": TP_BAC_LIEU,
        "commune_code": LEGACY_PHUONG_2_BAC_LIEU,
    }
    assert check_address(units, CA_MAU, PHUONG_BAC_LIEU, codes) == []
    assert check_address(units, CA_MAU, PHUONG_BAC_LIEU, SimpleNamespace(**codes)) == []
    assert check_address(units, CA_MAU, None, {"province_code": CA_MAU}) == []


def test_a_legacy_district_of_another_province_is_refused(units):
    legacy = {"province_code": CA_MAU, "district_code": TP_BAC_LIEU}
    field, message = only_problem(check_address(units, CA_MAU, None, legacy))
    assert field == "address.legacy.district_code"
    assert "Thành phố Bạc Liêu" in message
    assert "Tỉnh Bạc Liêu" in message


def test_a_legacy_commune_of_another_district_is_refused(units):
    legacy = {
        "province_code": CA_MAU,
        "district_code": HUYEN_CAI_NUOC,
        "commune_code": LEGACY_PHUONG_2_BAC_LIEU,
    }
    problems = check_address(units, CA_MAU, None, legacy)
    assert [p.field for p in problems] == ["address.legacy.commune_code"]
    assert "Huyện Cái Nước" in render(problems[0].message, "en")
    assert "Thành phố Bạc Liêu" in render(problems[0].message, "en")


def test_unknown_legacy_codes_are_refused_field_by_field(units):
    legacy = {"province_code": "03", "district_code": "999", "commune_code": "99999"}
    problems = check_address(units, CA_MAU, None, legacy)
    assert [p.field for p in problems] == [
        "address.legacy.province_code",
        "address.legacy.district_code",
        "address.legacy.commune_code",
    ]


def test_a_legacy_province_must_have_become_part_of_the_current_province(units):
    legacy = {"province_code": BAC_LIEU_LEGACY}
    field, message = only_problem(check_address(units, CAN_THO, None, legacy))
    assert field == "address.legacy.province_code"
    assert "Tỉnh Bạc Liêu" in message
    assert "Tỉnh Cà Mau" in message


def test_a_legacy_commune_alone_must_lie_in_the_current_province(units):
    field, _ = only_problem(
        check_address(units, CAN_THO, None, {"commune_code": LEGACY_XA_DONG_HUNG})
    )
    assert field == "address.legacy.commune_code"


def test_a_legacy_commune_that_moved_whole_derives_its_current_commune(units):
    assert derive_current_commune(units, LEGACY_PHUONG_2_BAC_LIEU) == PHUONG_BAC_LIEU


def test_a_split_legacy_commune_derives_nothing(units):
    assert len(units.current_communes_for_legacy(LEGACY_XA_DONG_HUNG)) == 2
    assert derive_current_commune(units, LEGACY_XA_DONG_HUNG) is None


def test_an_unknown_legacy_commune_derives_nothing(units):
    assert derive_current_commune(units, "99999") is None


def test_short_names_drop_the_unit_type_whatever_its_case():
    assert unit_short_name("Xã Tân Hưng") == "Tân Hưng"
    assert unit_short_name("Thành phố Hồ Chí Minh") == "Hồ Chí Minh"
    assert unit_short_name("Thị Trấn Năm Căn") == "Năm Căn"
    assert unit_short_name("Phường 7") == "7"
