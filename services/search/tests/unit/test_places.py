from __future__ import annotations

import pytest

from hoptac.search.adapters.admin_units import official_areas
from hoptac.search.domain.documents import document_from_record
from hoptac.search.domain.places import PlaceFinder

pytestmark = pytest.mark.unit


@pytest.fixture(scope="module")
def finder() -> PlaceFinder:
    return PlaceFinder(official_areas())


def found(finder: PlaceFinder, q: str) -> list[tuple[str, str, str]]:
    return [(p.filter, p.code, p.name) for p in finder.find(q)]


def test_a_former_district_is_found_with_or_without_its_unit_type(finder: PlaceFinder) -> None:
    assert found(finder, "huyện Cái Nước")[0] == ("district", "969", "Huyện Cái Nước")
    assert found(finder, "H. Cái N")[0] == ("district", "969", "Huyện Cái Nước")
    assert ("commune", "32128", "Xã Cái Nước") in found(finder, "cai nuoc")


def test_the_units_it_belongs_to_rank_a_namesake_first(finder: PlaceFinder) -> None:
    assert found(finder, "htx tân hưng cái nước")[0] == ("commune", "32137", "Xã Tân Hưng")


def test_a_name_inside_a_longer_one_is_not_offered(finder: PlaceFinder) -> None:
    assert found(finder, "tp hcm") == [("province", "79", "Thành phố Hồ Chí Minh")]


def test_one_word_names_need_their_unit_type(finder: PlaceFinder) -> None:
    assert all(name != "Thị trấn Dùng" for _, _, name in found(finder, "quỹ tín dụng"))
    assert ("commune", "31825", "Phường 1") in found(finder, "phường 1 bạc liêu")
    assert found(finder, "htx") == []


def test_a_record_is_named_by_its_units_current_and_former(record) -> None:  # type: ignore[no-untyped-def]
    org = record(address={"commune_code": "32128", "legacy": {"commune_code": "32143"}})
    areas = document_from_record(org, official_areas()).areas
    assert (areas.commune, areas.legacy_commune, areas.legacy_district) == (
        "Xã Cái Nước",
        "Xã Đông Thới",
        "Huyện Cái Nước",
    )
    assert areas.legacy_province == "Tỉnh Cà Mau"  # from the district, as the record gives none
    unknown = record(address={"commune_code": "99999", "legacy": None})
    assert document_from_record(unknown, official_areas()).areas.commune is None
