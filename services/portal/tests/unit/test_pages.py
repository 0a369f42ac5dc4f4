"""The pages over fake backends: whole page or htmx fragment, errors as pages in Vietnamese,
one backend down costs only its part, figures as the APIs gave them, headers on every answer."""

from __future__ import annotations

import re

import httpx
import pytest

from ..fakes import ORG_ID, FakeServices

pytestmark = pytest.mark.unit

FRAGMENT = {"HX-Request": "true", "HX-Target": "results"}


def text_of(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


async def test_the_home_page_is_vietnamese_with_the_headline_figures(
    portal: httpx.AsyncClient,
) -> None:
    response = await portal.get("/")
    assert response.status_code == 200
    assert '<html lang="vi">' in response.text
    text = text_of(response.text)
    assert "277" in text
    assert "222" in text
    assert "55" in text
    assert "HTX Nông nghiệp Tân Hưng" in text  # a recent change


async def test_the_same_search_url_answers_a_fragment_to_htmx_and_a_page_otherwise(
    portal: httpx.AsyncClient,
) -> None:
    page = await portal.get("/search", params={"q": "tan hung"})
    fragment = await portal.get("/search", params={"q": "tan hung"}, headers=FRAGMENT)
    assert page.text.startswith("<!doctype html>")
    assert fragment.text.lstrip().startswith('<div id="results"')
    assert "<html" not in fragment.text
    assert "HTX Nông nghiệp Tân Hưng" in fragment.text
    assert "HX-Request" in page.headers["vary"]
    restore = {**FRAGMENT, "HX-History-Restore-Request": "true"}
    assert (await portal.get("/search", headers=restore)).text.startswith("<!doctype html>")


async def test_a_hit_shows_what_tells_namesakes_apart(portal: httpx.AsyncClient) -> None:
    text = text_of((await portal.get("/search", params={"q": "tan hung"})).text)
    assert "9600000001" in text  # registration number
    assert "20/05/2019" in text  # registered on
    assert "Cà Mau" in text  # the province by name
    assert "Đang hoạt động" in text


async def test_filters_go_to_the_search_service_and_links_carry_the_next_page(
    portal: httpx.AsyncClient, services: FakeServices
) -> None:
    response = await portal.get("/search", params={"q": "htx", "kind": "cooperative"})
    sent = services.requests[-1].url.params
    assert sent.get_list("kind") == ["cooperative"]
    assert sent["q"] == "htx"
    assert "cursor=c2" in response.text
    assert "page=2" in response.text


async def test_bad_parameters_show_the_form_with_the_problem(portal: httpx.AsyncClient) -> None:
    response = await portal.get("/search", params={"province": "9"})
    assert response.status_code == 422
    assert 'class="error-summary"' in response.text
    assert 'href="#province"' in response.text
    assert "Mã tỉnh gồm 2 chữ số" in response.text


async def test_no_hits_offer_corrections(portal: httpx.AsyncClient, services: FakeServices) -> None:
    services.search_answer = {"total": 0, "items": [], "facets": {}, "next_cursor": None}
    response = await portal.get("/search", params={"q": "tan hugn", "status": "dissolved"})
    text = text_of(response.text)
    assert "Không tìm thấy tổ chức nào" in text
    assert "Có phải bạn muốn tìm" in text
    assert "/search?q=tan+hugn" in response.text  # the same search without the filter


async def test_search_down_is_said_while_profiles_and_statistics_still_answer(
    portal: httpx.AsyncClient, services: FakeServices
) -> None:
    services.down.add("search")
    response = await portal.get("/search", params={"q": "x"})
    assert response.status_code == 503
    assert "Dịch vụ tra cứu đang tạm ngừng" in response.text
    assert "Traceback" not in response.text
    assert (await portal.get(f"/organizations/{ORG_ID}")).status_code == 200
    assert (await portal.get("/statistics")).status_code == 200


async def test_reporting_down_costs_the_home_page_only_its_figures(
    portal: httpx.AsyncClient, services: FakeServices
) -> None:
    services.down.add("reporting")
    response = await portal.get("/")
    assert response.status_code == 200
    assert "Dịch vụ thống kê đang tạm ngừng" in response.text
    assert "HTX Nông nghiệp Tân Hưng" in response.text


async def test_an_unknown_page_or_organisation_is_a_404_page_in_vietnamese(
    portal: httpx.AsyncClient,
) -> None:
    for path in ("/nothing-here", "/organizations/not-a-uuid",
                 "/organizations/00000000-0000-0000-0000-000000000000"):  # fmt: skip
        response = await portal.get(path)
        assert response.status_code == 404
        assert "Không tìm thấy trang" in response.text
        assert response.headers["content-type"].startswith("text/html")


async def test_the_profile_shows_public_fields_the_timeline_and_no_restricted_change(
    portal: httpx.AsyncClient,
) -> None:
    response = await portal.get(f"/organizations/{ORG_ID}")
    text = text_of(response.text)
    assert "Tạm ngừng hoạt động" in text  # today's status
    assert "Căn cứ pháp lý: 92/2024/NĐ-CP" in text  # the status's legal basis, linked
    assert "09/2024/TT-BKHĐT (Phụ lục II-8)" in text
    assert 'href="/library/so/09/2024/TT-BKH%C4%90T"' in response.text
    assert "01/03/2023" in text
    assert "rà soát" in text
    assert "Tôm khô" in text
    assert "1.500.000.000 ₫" in text
    assert "Tình trạng pháp lý: Đang hoạt động → Tạm ngừng hoạt động" in text  # a change
    assert "id_number" not in response.text
    assert "Đầm Dơi" in text or "Tân Hưng" in text or "Cà Mau" in text
    # A small map: the record has no coordinates, so the dot is at its commune's centre.
    assert 'class="map-spot"' in response.text
    assert 'class="map-province-own"' in response.text
    assert "Theo trung tâm xã, phường nơi tổ chức đặt trụ sở." in text


async def test_the_profile_as_of_a_day_asks_the_registry_for_that_day(
    portal: httpx.AsyncClient, services: FakeServices
) -> None:
    response = await portal.get(f"/organizations/{ORG_ID}", params={"as_of": "2020-01-01"})
    asked = [r for r in services.requests if r.url.path == f"/v1/organizations/{ORG_ID}"]
    assert asked[-1].url.params["as_of"] == "2020-01-01"
    assert "01/01/2020" in text_of(response.text)
    before = await portal.get(f"/organizations/{ORG_ID}", params={"as_of": "2010-01-01"})
    assert before.status_code == 422
    assert "chưa được đăng ký" in before.text
    bad = await portal.get(f"/organizations/{ORG_ID}", params={"as_of": "30/07/2022"})
    assert bad.status_code == 422
    assert 'aria-invalid="true"' in bad.text


async def test_statistics_figures_are_the_apis_own(portal: httpx.AsyncClient) -> None:
    response = await portal.get("/statistics", params={"view": "kind"})
    text = text_of(response.text)
    for figure in ("4.275", "4.497", "4.796", "4.276", "4.504", "4.803", "45,1 %"):
        assert figure in text
    assert "Chỉ thị số 19/CT-TTg" in text  # the indicator explained from /v1/indicators
    assert "<svg" in response.text
    assert "Hợp tác xã" in text


async def test_statistics_refuse_a_future_day_and_district_views_after_the_reform(
    portal: httpx.AsyncClient,
) -> None:
    future = await portal.get("/statistics", params={"as_of": "2030-01-01"})
    assert future.status_code == 422
    assert 'href="#as_of"' in future.text
    legacy = await portal.get("/statistics", params={"view": "legacy_district"})
    assert legacy.status_code == 422
    allowed = await portal.get(
        "/statistics", params={"view": "legacy_district", "as_of": "2022-07-30"}
    )
    assert allowed.status_code == 200


async def test_downloads_come_from_the_same_query(
    portal: httpx.AsyncClient, services: FakeServices
) -> None:
    csv = await portal.get("/search.csv", params={"q": "tan hung"})
    assert csv.headers["content-type"].startswith("text/csv")
    lines = csv.content.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("Mã số đăng ký,Tên")
    assert "HTX Nông nghiệp Tân Hưng" in lines[1]
    xlsx = await portal.get("/search.xlsx", params={"q": "tan hung"})
    assert xlsx.content[:2] == b"PK"
    stats = await portal.get("/statistics.csv", params={"view": "kind"})
    assert stats.status_code == 200
    assert services.requests[-1].url.params["format"] == "csv"


async def test_english_is_one_switch_away_and_the_switch_stays_on_this_site(
    portal: httpx.AsyncClient,
) -> None:
    switch = await portal.get("/language", params={"to": "en", "next": "/statistics"})
    assert switch.status_code == 303
    assert switch.headers["location"] == "/statistics"
    portal.cookies.set("lang", "en")
    english = await portal.get("/")
    assert '<html lang="en">' in english.text
    assert "Headline figures" in english.text
    for outside in ("//evil.example", "/\\evil.example", "https://evil.example"):
        away = await portal.get("/language", params={"to": "en", "next": outside})
        assert away.headers["location"] == "/"


async def test_every_answer_forbids_other_hosts_and_pages_revalidate_by_etag(
    portal: httpx.AsyncClient,
) -> None:
    page = await portal.get("/about")
    assert page.headers["content-security-policy"].startswith("default-src 'self'")
    assert page.headers["x-content-type-options"] == "nosniff"
    again = await portal.get("/about", headers={"If-None-Match": page.headers["etag"]})
    assert again.status_code == 304
    asset = await portal.get("/assets/htmx/htmx.min.js")
    assert asset.status_code == 200
    assert "max-age" in asset.headers["cache-control"]
    assert "content-security-policy" in asset.headers


async def test_javascript_stays_small_once_compressed(portal: httpx.AsyncClient) -> None:
    page = await portal.get("/search")
    scripts = re.findall(r'<script src="([^"]+)"', page.text)
    sizes = []
    for src in scripts:
        raw = await portal.get(src, headers={"Accept-Encoding": "gzip"})
        sizes.append(int(raw.headers.get("content-length", len(raw.content))))
    assert scripts
    assert sum(sizes) <= 60_000


async def test_a_record_without_optional_fields_still_shows_its_profile(
    portal: httpx.AsyncClient, services: FakeServices
) -> None:
    services.record_without = {"charter_capital", "ocop_products", "digital", "workers_count"}
    response = await portal.get(f"/organizations/{ORG_ID}")
    assert response.status_code == 200
    assert "HTX Nông nghiệp Tân Hưng" in response.text


async def test_a_problem_is_shown_in_the_fragment_htmx_swaps_too(
    portal: httpx.AsyncClient,
) -> None:
    response = await portal.get("/search", params={"sort": "size"}, headers=FRAGMENT)
    assert response.status_code == 422
    assert "<html" not in response.text
    assert 'class="error-summary"' in response.text


async def test_the_map_places_communes_and_lists_the_same_counts(
    portal: httpx.AsyncClient, services: FakeServices
) -> None:
    response = await portal.get("/map", params={"kind": "cooperative", "province": "96"})
    assert response.status_code == 200
    sent = services.requests[-1]
    assert sent.url.path == "/v1/search/communes"
    assert sorted(sent.url.params.multi_items()) == [("kind", "cooperative"), ("province", "96")]
    assert response.text.count('class="map-dot"') == 2
    # Viet Nam's outline, its 34 provinces and its two island groups under the dots.
    assert response.text.count('class="map-land"') == 1
    assert response.text.count("<title>Tỉnh ") + response.text.count("<title>Thành phố ") >= 34
    assert "QĐ. Hoàng Sa (Việt Nam)" in response.text
    assert "QĐ. Trường Sa (Việt Nam)" in response.text
    text = text_of(response.text)
    assert "Phường Bạc Liêu" in text
    assert "Đặc khu Hoàng Sa" in text
    assert "2 tổ chức chưa xác định được xã" in text


async def test_the_map_follows_every_search_filter_and_its_table_holds_the_maps_counts(
    portal: httpx.AsyncClient, services: FakeServices
) -> None:
    query = [
        ("q", "nong nghiep"),
        ("kind", "cooperative"),
        ("status", "operating"),
        ("sector", "agriculture"),
        ("operating_in_practice", "yes"),
        ("ocop", "true"),
        ("province", "96"),
        ("commune", "31825"),
    ]
    response = await portal.get("/map", params=query)
    assert response.status_code == 200
    sent = services.requests[-1]
    assert sent.url.path == "/v1/search/communes"
    assert sorted(sent.url.params.multi_items()) == sorted(query)  # the same parameters
    dots = re.findall(r'class="map-dot"><title>[^<]*: ([\d.]+)</title>', response.text)
    rows = re.findall(r'<td class="num">([\d.]+)</td>', response.text)
    assert sorted(dots) == sorted(rows) == ["1", "12"]
    assert "“nong nghiep”" in text_of(response.text)  # the words, which one link drops
    results = await portal.get("/search", params=query)
    see_map = re.search(r'href="(/map\?[^"]+)"', results.text)
    assert see_map is not None
    assert "q=nong+nghiep" in see_map[1]
    assert "ocop=true" in see_map[1]
