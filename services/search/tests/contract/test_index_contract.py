"""What every search index adapter must do (tantivy and OpenSearch alike)."""

from __future__ import annotations

import unicodedata
from typing import Any

from hoptac.search.adapters.admin_units import official_areas
from hoptac.search.adapters.port import SearchIndex
from hoptac.search.domain.changes import Remove, Upsert
from hoptac.search.domain.documents import document_from_record
from hoptac.search.domain.query import parse_search

Record = dict[str, Any]


async def names(index: SearchIndex, q: str = "", **filters: Any) -> list[str]:
    extra = {k: v for k, v in filters.items() if k in ("bbox", "sort", "limit", "cursor")}
    coded = {k: [v] if isinstance(v, str) else v for k, v in filters.items() if k not in extra}
    result = await index.search(parse_search(q, coded, **extra))
    return [item["name"] for item in result.items]


def upsert(record: Record) -> Upsert:
    return Upsert(document_from_record(record, official_areas()))


async def test_an_organisation_is_found_with_or_without_diacritics(index, record) -> None:  # type: ignore[no-untyped-def]
    await index.apply([upsert(record(name="Hợp tác xã Thủy sản Khánh Hòa"))])
    for q in (
        "thủy sản khánh hòa",
        "thuỷ sản khánh hoà",
        "thuy san khanh hoa",
        unicodedata.normalize("NFD", "THỦY SẢN KHÁNH HÒA"),
        "HTX thuy san",
        "thuy sna khanh hoa",  # a typo
    ):
        assert await names(index, q) == ["Hợp tác xã Thủy sản Khánh Hòa"], q


async def test_d_and_đ_are_the_same_letter(index, record) -> None:  # type: ignore[no-untyped-def]
    await index.apply([upsert(record(name="Hợp tác xã Đồng Tâm"))])
    assert await names(index, "dong tam") == await names(index, "Đồng Tâm") != []


async def test_duplicates_and_older_versions_change_nothing(index, record) -> None:  # type: ignore[no-untyped-def]
    first = record(name="Hợp tác xã Tân Hưng", version=2)
    newer = {**first, "name": "Hợp tác xã Tân Hưng Mới", "version": 3}
    assert await index.apply([upsert(first)]) == 1
    assert await index.apply([upsert(newer)]) == 1
    assert await index.apply([upsert(newer), upsert(first)]) == 0
    assert await index.version_of(first["id"]) == 3
    assert await names(index, "tân hưng") == ["Hợp tác xã Tân Hưng Mới"]
    assert await index.count() == 1


async def test_a_batch_applies_the_newest_version_whatever_the_order(index, record) -> None:  # type: ignore[no-untyped-def]
    base = record(name="Hợp tác xã Bình Minh")
    versions = [
        {**base, "version": v, "status": s} for v, s in ((3, "dissolving"), (1, "operating"))
    ]
    await index.apply([upsert(r) for r in versions])
    result = await index.search(parse_search("bình minh", {}))
    assert [(i["version"], i["status"]) for i in result.items] == [(3, "dissolving")]


async def test_a_removed_organisation_stays_removed_when_an_older_event_comes_late(
    index,
    record,  # type: ignore[no-untyped-def]
) -> None:
    kept = record(name="Hợp tác xã An Phú", version=2)
    await index.apply([upsert(kept)])
    await index.apply([Remove(kept["id"], 3)])
    assert await names(index, "an phú") == []
    assert await index.apply([upsert(kept)]) == 0  # version 2 arrives late
    assert await names(index, "an phú") == []
    assert await index.version_of(kept["id"]) == 3
    assert await index.count() == 0


async def test_filters_combine_and_facets_count(index, record) -> None:  # type: ignore[no-untyped-def]
    await index.apply(
        [
            upsert(record(name="HTX Một", kind="cooperative", status="operating")),
            upsert(
                record(
                    name="HTX Hai",
                    status="suspended",
                    operating_in_practice="nominal",
                    ocop_products=[{"name": "Mật ong", "stars": 4}],
                )
            ),
            upsert(
                record(
                    name="Tổ hợp tác Ba",
                    kind="cooperative_group",
                    sector={"group": "trade_services", "vsic": []},
                    address={"province_code": "01", "commune_code": "00004", "legacy": None},
                    digital={"computer": True, "ecommerce": True},
                )
            ),
        ]
    )
    assert sorted(await names(index, kind="cooperative")) == ["HTX Hai", "HTX Một"]
    assert await names(index, kind="cooperative", status="suspended") == ["HTX Hai"]
    assert sorted(await names(index, status=["suspended", "operating"], province="96")) == [
        "HTX Hai",
        "HTX Một",
    ]
    assert await names(index, sector="trade_services") == ["Tổ hợp tác Ba"]
    assert await names(index, commune="00004") == ["Tổ hợp tác Ba"]
    assert len(await names(index, commune="31834")) == 2  # a legacy commune code
    assert await names(index, operating_in_practice="nominal") == ["HTX Hai"]
    assert await names(index, ocop="true") == ["HTX Hai"]
    assert await names(index, digital=["computer", "ecommerce"]) == ["Tổ hợp tác Ba"]
    result = await index.search(parse_search("", {}))
    assert result.total == 3
    assert result.facets["kind"] == {"cooperative": 2, "cooperative_group": 1}
    assert result.facets["province"] == {"96": 2, "95": 2, "01": 1}
    assert result.facets["ocop"] == {"false": 2, "true": 1}
    assert result.facets["digital"]["computer"] == 3
    only_suspended = await index.search(parse_search("", {"status": ["suspended"]}))
    assert only_suspended.facets["status"] == {"suspended": 1}


async def test_a_bounding_box_keeps_what_lies_inside(index, record) -> None:  # type: ignore[no-untyped-def]
    await index.apply(
        [
            upsert(record(name="HTX Cà Mau", address={"lat": 9.18, "lon": 105.15})),
            upsert(record(name="HTX Hà Nội", address={"lat": 21.03, "lon": 105.85})),
            upsert(record(name="HTX Không Toạ Độ", address={"lat": None, "lon": None})),
        ]
    )
    assert await names(index, bbox="104.5,8.5,106,10") == ["HTX Cà Mau"]


async def test_sorts_by_name_and_registration_date(index, record) -> None:  # type: ignore[no-untyped-def]
    await index.apply(
        [
            upsert(record(name="HTX Bình An", registered_on="2010-01-01")),
            upsert(record(name="HTX Ánh Dương", registered_on="2021-06-01")),
            upsert(record(name="HTX Cây Dừa", registered_on="2015-05-05")),
        ]
    )
    assert await names(index, sort="name") == ["HTX Ánh Dương", "HTX Bình An", "HTX Cây Dừa"]
    oldest_first = ["HTX Bình An", "HTX Cây Dừa", "HTX Ánh Dương"]
    assert await names(index, sort="registered_on") == oldest_first
    assert await names(index, sort="-registered_on") == oldest_first[::-1]


async def test_cursor_pages_visit_every_match_exactly_once(index, record) -> None:  # type: ignore[no-untyped-def]
    await index.apply([upsert(record(name=f"Hợp tác xã Số {n}")) for n in range(47)])
    for sort in ("relevance", "name", "-registered_on"):
        seen: list[str] = []
        cursor = None
        pages = 0
        while True:
            result = await index.search(
                parse_search("hợp tác xã", {}, sort=sort, limit=10, cursor=cursor)
            )
            assert result.total == 47
            seen += [item["id"] for item in result.items]
            pages += 1
            cursor = result.next_cursor
            if cursor is None:
                break
        assert pages == 5
        assert len(seen) == len(set(seen)) == 47, sort


async def test_an_exact_registration_number_ranks_first(index, record) -> None:  # type: ignore[no-untyped-def]
    await index.apply(
        [
            upsert(record(name="HTX 6001000777", registration_number="6001000001")),
            upsert(record(name="HTX Bảy Bảy", registration_number="6001000777")),
        ]
    )
    assert (await names(index, "6001000777"))[0] == "HTX Bảy Bảy"
    assert (await names(index, "6001-000-777"))[0] == "HTX Bảy Bảy"


async def test_suggestions_follow_what_is_typed(index, record) -> None:  # type: ignore[no-untyped-def]
    await index.apply(
        [
            upsert(record(name="Hợp tác xã Tân Hưng")),
            upsert(record(name="Hợp tác xã Tân Phú")),
            upsert(record(name="Quỹ tín dụng nhân dân Tân Hiệp")),
            upsert(record(name="Hợp tác xã Bình Minh")),
        ]
    )
    found = [s["name"] for s in await index.suggest("htx tân h", 5)]
    assert found[0] == "Hợp tác xã Tân Hưng"
    assert "Hợp tác xã Bình Minh" not in found
    assert [s["name"] for s in await index.suggest("qtdnd", 5)] == [
        "Quỹ tín dụng nhân dân Tân Hiệp"
    ]


async def test_the_change_log_position_is_kept_with_the_changes(index, record) -> None:  # type: ignore[no-untyped-def]
    assert await index.last_sequence() == 0
    await index.apply([upsert(record())], last_sequence=41)
    await index.apply([upsert(record())], last_sequence=40)  # never goes back
    assert await index.last_sequence() == 41


async def test_a_rebuild_is_invisible_until_switched_to(index, record) -> None:  # type: ignore[no-untyped-def]
    await index.apply([upsert(record(name="Hợp tác xã Cũ"))], last_sequence=1)
    before = await index.generation()
    build = await index.start_build()
    await build.apply([upsert(record(name="Hợp tác xã Mới"))], last_sequence=7)
    assert await names(index) == ["Hợp tác xã Cũ"]
    await build.finish()
    await index.switch_to(build)
    assert await index.generation() != before
    assert await names(index) == ["Hợp tác xã Mới"]
    assert await index.last_sequence() == 7
    await index.apply([upsert(record(name="Hợp tác xã Sau"))])  # still writable after
    assert sorted(await names(index)) == ["Hợp tác xã Mới", "Hợp tác xã Sau"]


async def test_listings_and_broad_searches_show_a_write_at_once(index, record) -> None:  # type: ignore[no-untyped-def]
    await index.apply([upsert(record(name="Hợp tác xã Một"))])
    for q in ("", "hợp tác xã"):
        assert (await index.search(parse_search(q, {}))).total == 1
    assert len(await index.suggest("hợp tác xã", 5)) == 1
    await index.apply([upsert(record(name="Hợp tác xã Hai"))])
    for q in ("", "hợp tác xã"):
        assert (await index.search(parse_search(q, {}))).total == 2
    assert len(await index.suggest("hợp tác xã", 5)) == 2


# Cà Mau before and after 1 July 2025: the former Xã Đông Thới (32143, Huyện Cái Nước) is now
# mostly in Xã Cái Nước (32128); the former Xã Hàm Rồng (32194, Huyện Năm Căn) in Xã Năm Căn.
IN_CAI_NUOC = {"province_code": "96", "commune_code": "32128", "legacy": {"commune_code": "32143"}}
IN_NAM_CAN = {"province_code": "96", "commune_code": "32191", "legacy": {"commune_code": "32194"}}
ELSEWHERE = {"province_code": "56", "commune_code": "22489", "legacy": None, "text": None}


async def test_hits_carry_the_names_of_their_units_current_and_former(index, record) -> None:  # type: ignore[no-untyped-def]
    await index.apply([upsert(record(name="Quỹ tín dụng nhân dân Đông Thới", address=IN_CAI_NUOC))])
    item = (await index.search(parse_search("đông thới", {}))).items[0]
    assert item["commune_name"] == "Xã Cái Nước"
    assert item["province_name"] == "Tỉnh Cà Mau"
    assert item["legacy_commune_name"] == "Xã Đông Thới"
    assert item["legacy_district_name"] == "Huyện Cái Nước"
    assert item["legacy_province_name"] == "Tỉnh Cà Mau"


async def test_an_organisation_is_found_by_its_places_products_and_business_lines(  # type: ignore[no-untyped-def]
    index, record
) -> None:
    org = record(
        name="Hợp tác xã Ánh Dương",
        address=IN_NAM_CAN,
        ocop_products=[{"name": "Mật ong hoa tràm U Minh", "stars": 4}],
        sector={"group": "agriculture", "vsic": ["5510"]},
    )
    await index.apply([upsert(org), upsert(record(name="Hợp tác xã Bình An", address=ELSEWHERE))])
    for q in (
        "ánh dương năm căn",  # the current commune
        "anh duong ham rong",  # the former commune, without diacritics
        "htx ánh dương H. Năm Căn",  # the former district, abbreviated
        "xã Hàm Rồng",  # a place only
        "mật ong hoa tràm",  # a product
        "mat ong hoa tramm u minh",  # with a typo
        "dịch vụ lưu trú",  # a business line
    ):
        assert await names(index, q) == ["Hợp tác xã Ánh Dương"], q


async def test_the_name_ranks_above_the_place(index, record) -> None:  # type: ignore[no-untyped-def]
    in_the_name = record(name="Hợp tác xã Thủy sản Năm Căn", address=ELSEWHERE)
    in_the_place = record(name="Hợp tác xã Thủy sản Đoàn Kết", address=IN_NAM_CAN)
    await index.apply([upsert(in_the_place), upsert(in_the_name)])
    assert await names(index, "thủy sản năm căn") == [in_the_name["name"], in_the_place["name"]]
    assert await names(index, "thủy sản đoàn kết năm căn") == [in_the_place["name"]]


async def test_a_stray_word_lowers_the_score_instead_of_emptying_the_answer(  # type: ignore[no-untyped-def]
    index, record
) -> None:
    every_word = record(name="Hợp tác xã Lúa sạch Thành Lợi", address=IN_CAI_NUOC)
    fewer = record(name="Hợp tác xã Lúa giống Thành Lợi", address=ELSEWHERE)
    await index.apply([upsert(fewer), upsert(every_word)])
    assert await names(index, "lúa sạch thành lợi cái nước") == [every_word["name"]]
    assert await names(index, "lúa sạch thành lợi cái nước zalo") == [
        every_word["name"],
        fewer["name"],
    ]
    assert await names(index, "xyzzy qwerty") == []


async def test_an_abbreviation_finds_the_name_in_full_and_the_reverse(index, record) -> None:  # type: ignore[no-untyped-def]
    full = record(name="Hợp tác xã Dịch vụ nuôi trồng thủy sản Hòa Thành")
    short = record(name="HTX CN Biển Bạch")
    await index.apply([upsert(full), upsert(short)])
    assert await names(index, "HTX DVNT TS Hòa Thành") == [full["name"]]
    assert await names(index, "hợp tác xã chăn nuôi biển bạch") == [short["name"]]
    assert await names(index, "công nghiệp biển bạch") == [short["name"]]


async def test_a_map_counts_every_match_once_at_its_current_commune(index, record) -> None:  # type: ignore[no-untyped-def]
    await index.apply(
        [
            upsert(record(name="HTX Một")),
            upsert(record(name="HTX Hai", ocop_products=[{"name": "Mật ong", "stars": 4}])),
            upsert(
                record(
                    name="Tổ hợp tác Ba",
                    kind="cooperative_group",
                    address={"province_code": "01", "commune_code": "00004", "legacy": None},
                )
            ),
            upsert(record(name="HTX Bốn", address={"commune_code": None, "legacy": None})),
        ]
    )
    everything = await index.communes(parse_search("", {}))
    # Counted at the current commune only, never again at the former one (31834).
    assert (everything.total, everything.communes) == (4, {"31825": 2, "00004": 1})
    ocop = await index.communes(parse_search("", {"ocop": ["true"]}))
    assert (ocop.total, ocop.communes) == (1, {"31825": 1})
    words = await index.communes(parse_search("mat ong", {}))
    assert (words.total, words.communes) == (1, {"31825": 1})
    kind = await index.communes(parse_search("", {"kind": ["cooperative_group"]}))
    assert kind.communes == {"00004": 1}
