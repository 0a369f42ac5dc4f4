"""The HTTP API over a real projection: statistics, reports, downloads, errors, operations."""

from __future__ import annotations

import io
from datetime import date
from uuid import UUID

import httpx
import pytest
from openpyxl import load_workbook

from hoptac.reporting.handlers import Reporting

from ..histories import FakeRegistry, base_record
from .conftest import load

pytestmark = pytest.mark.integration


@pytest.fixture
async def loaded(reporting: Reporting) -> FakeRegistry:
    """Five organisations in Cà Mau; one removed, one registered after 2022, one whose old
    commune was split (no current commune), one known by its old province only."""
    registry = FakeRegistry()
    a = registry.register(base_record(1, date(2015, 3, 12), members_count=30, workers_count=12))
    registry.change_status(UUID(a["organization_id"]), date(2023, 5, 1), "dissolved")
    split = {
        "province_code": "96",
        "legacy": {"province_code": "95", "district_code": "956", "commune_code": "31900"},
    }
    registry.register(
        base_record(
            2,
            date(2019, 1, 5),
            address=split,
            sector={"group": "trade_services", "vsic": []},
            members_count=12,
            workers_count=8,
            charter_capital=2_000_000_000,
            ocop_products=[{"name": "Mật ong U Minh", "stars": 4}],
            digital={"accounting_software": True, "social_media": True},
        )
    )
    registry.register(
        base_record(
            3,
            date(2020, 6, 1),
            kind="cooperative_group",
            address={
                "province_code": "96",
                "commune_code": "32002",
                "legacy": {"province_code": "96"},
            },
            members_count=7,
            workers_count=None,
        )
    )
    registry.register(base_record(4, date(2024, 2, 2), members_count=50))
    removed = registry.register(base_record(5, date(2016, 1, 1), members_count=999))
    registry.remove(UUID(removed["organization_id"]))
    await load(reporting, registry.log)
    return registry


async def test_stats_count_what_was_registered_by_the_day_in_the_status_it_had(
    client: httpx.AsyncClient, loaded: FakeRegistry
) -> None:
    response = await client.get("/v1/stats", params={"as_of": "2022-07-30", "group_by": "status"})
    assert response.status_code == 200
    body = response.json()
    assert body["totals"] == {
        "organizations": 3,
        "members": 49,
        "workers": 20,
        "charter_capital": 2_200_000_000,
    }
    assert [(r["status"], r["organizations"]) for r in body["rows"]] == [("operating", 3)]
    assert body["rows"][0]["status_label"] == "Đang hoạt động"
    today = (await client.get("/v1/stats", params={"group_by": "status"})).json()
    assert {r["status"]: r["organizations"] for r in today["rows"]} == {
        "dissolved": 1,
        "operating": 3,
    }


async def test_agriculture_against_non_agriculture_and_operating_against_stopped(
    client: httpx.AsyncClient, loaded: FakeRegistry
) -> None:
    body = (await client.get("/v1/stats", params={"group_by": "sector_class,status_class"})).json()
    rows = {(r["sector_class"], r["status_class"]): r["organizations"] for r in body["rows"]}
    assert rows == {
        ("agriculture", "operating"): 2,
        ("agriculture", "stopped"): 1,
        ("non_agriculture", "operating"): 1,
    }


async def test_filters_take_the_names_of_the_keys_and_several_values(
    client: httpx.AsyncClient, loaded: FakeRegistry
) -> None:
    body = (
        await client.get("/v1/stats", params={"kind": "cooperative_group,peoples_credit_fund"})
    ).json()
    assert body["totals"]["organizations"] == 1
    body = (
        await client.get("/v1/stats", params={"commune": "31825", "status": "operating"})
    ).json()
    assert body["totals"]["organizations"] == 1  # org 4; org 1 is dissolved now


async def test_a_split_commune_is_counted_at_province_level_and_reported_as_such(
    client: httpx.AsyncClient, loaded: FakeRegistry
) -> None:
    body = (await client.get("/v1/stats", params={"group_by": "commune"})).json()
    unknown = [r for r in body["rows"] if r["commune"] is None]
    assert len(unknown) == 1
    assert unknown[0]["organizations"] == 1
    assert unknown[0]["counted_at"] == "province"
    assert body["notes"][0]["unknown"] == "commune"
    assert body["notes"][0]["organizations"] == 1


async def test_legacy_districts_on_request_with_coarser_counts_said_so(
    client: httpx.AsyncClient, loaded: FakeRegistry
) -> None:
    body = (
        await client.get("/v1/stats", params={"group_by": "legacy_district", "as_of": "2022-07-30"})
    ).json()
    rows = {r["legacy_district"]: (r["organizations"], r.get("counted_at")) for r in body["rows"]}
    assert rows == {"954": (1, None), "956": (1, None), None: (1, "legacy_province")}


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"group_by": "district"}, "group_by"),
        ({"status": "closed"}, "status"),
        ({"province": "9"}, "province"),
        ({"as_of": "2030-01-01"}, "as_of"),
        ({"as_of": "30/07/2022"}, "as_of"),
        ({"format": "pdf"}, "format"),
    ],
)
async def test_bad_input_gets_a_422_naming_the_field(
    client: httpx.AsyncClient, params: dict[str, str], field: str
) -> None:
    response = await client.get("/v1/stats", params=params)
    assert response.status_code == 422
    body = response.json()
    assert body["error"] == "invalid_request"
    assert f"query.{field}" in [e["field"] for e in body["errors"]]


async def test_stats_download_as_csv_with_a_bom_and_as_a_real_workbook(
    client: httpx.AsyncClient, loaded: FakeRegistry
) -> None:
    csv = await client.get("/v1/stats", params={"group_by": "status", "format": "csv"})
    assert csv.headers["content-type"].startswith("text/csv")
    assert csv.content.startswith(b"\xef\xbb\xbf")
    text = csv.content.decode("utf-8-sig")
    assert text.splitlines()[0].startswith("Tình trạng pháp lý,")
    assert "Tổng cộng" in text
    xlsx = await client.get("/v1/stats", params={"group_by": "status", "format": "xlsx"})
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet is not None
    assert "Thống kê tổ chức kinh tế tập thể" in str(sheet["A1"].value)
    assert sheet["A2"].value == "Tình trạng pháp lý"
    assert [c.value for c in sheet[2]][-1] == "Vốn điều lệ (đồng)"
    last = [c for c in sheet[sheet.max_row]]
    assert last[0].value == "Tổng cộng"
    assert last[-1].value == 2_300_000_000
    assert {c.number_format for c in last[-4:]} == {"#,##0"}  # whole numbers, grouped


async def test_the_summary_report_in_json_csv_xlsx_and_as_a_chart(
    client: httpx.AsyncClient, loaded: FakeRegistry
) -> None:
    body = (await client.get("/v1/reports/summary")).json()
    assert body["totals"] == {
        "organizations": 4,
        "operating": 3,
        "stopped": 1,
        "members": 99,
        "workers": 25,
        "charter_capital": 2_300_000_000,
    }
    assert body["ocop"]["by_stars"][1] == {"stars": 4, "products": 1}
    rates = {r["flag"]: r for r in body["digital"]["rates"]}
    assert rates["accounting_software"]["organizations"] == 1
    assert rates["accounting_software"]["rate"] == round(1 / 3, 4)
    csv = await client.get("/v1/reports/summary", params={"format": "csv"})
    assert "Sản phẩm OCOP 4 sao" in csv.content.decode("utf-8-sig")
    xlsx = await client.get("/v1/reports/summary", params={"format": "xlsx"})
    workbook = load_workbook(io.BytesIO(xlsx.content))
    assert workbook.sheetnames == ["Tổng hợp", "Theo lĩnh vực"]
    lines = {row[1].value: row[2] for row in workbook["Tổng hợp"].iter_rows(min_row=3)}
    members = lines["Tổng số thành viên"]
    assert (members.value, members.number_format) == (99, "#,##0")  # not "99." nor 99.00
    rate = next(cell for name, cell in lines.items() if str(name).endswith(": tỷ lệ"))
    assert rate.number_format == "0.00%"
    assert 0 <= rate.value <= 1  # a share that Excel shows as a percentage
    sectors = list(workbook["Theo lĩnh vực"].iter_rows(min_row=3, values_only=True))
    assert sectors[-1][0] == "Tổng cộng"
    assert sectors[-1][2] == sum(row[2] for row in sectors[:-1]) == 4
    chart = await client.get("/v1/reports/summary/chart.png")
    assert chart.headers["content-type"] == "image/png"
    assert chart.content.startswith(b"\x89PNG")


async def test_trends_by_year_show_each_years_last_day(
    client: httpx.AsyncClient, loaded: FakeRegistry
) -> None:
    body = (
        await client.get(
            "/v1/reports/trends", params={"unit": "year", "from": "2018-01-01", "to": "2024-12-31"}
        )
    ).json()
    by_year = {
        p["period"]: (p["organizations"], p["stopped"], p["registered"]) for p in body["periods"]
    }
    assert by_year["2018"] == (1, 0, 0)
    assert by_year["2019"] == (2, 0, 1)
    assert by_year["2023"] == (3, 1, 0)
    assert by_year["2024"] == (4, 1, 1)
    month = await client.get("/v1/reports/trends", params={"unit": "month", "from": "2000-01-01"})
    assert month.status_code == 422
    assert month.json()["errors"][0]["field"] == "query.from"
    assert (await client.get("/v1/reports/trends/chart.png")).content.startswith(b"\x89PNG")
    xlsx = await client.get("/v1/reports/trends", params={"format": "xlsx"})
    trend = load_workbook(io.BytesIO(xlsx.content))["Xu hướng"]
    periods = list(trend.iter_rows(min_row=3, values_only=True))
    # Founded in each period adds up; the counts at each period's end do not, and stay empty.
    assert periods[-1][0] == "Tổng cộng"
    assert periods[-1][5] == sum(row[5] for row in periods[:-1])
    assert periods[-1][2] is None


async def test_health_readiness_and_metrics(
    client: httpx.AsyncClient, loaded: FakeRegistry
) -> None:
    assert (await client.get("/healthz")).json()["status"] == "ok"
    assert (await client.get("/readyz")).status_code == 200
    await client.get("/v1/stats")
    metrics = (await client.get("/metrics")).text
    assert 'hoptac_reporting_projection_size{part="organizations"} 5.0' in metrics
    assert 'hoptac_reporting_projection_size{part="removed"} 1.0' in metrics
    assert 'hoptac_reporting_query_seconds_count{report="stats"}' in metrics


async def test_the_indicator_catalogue_names_each_rate_of_the_summary(
    client: httpx.AsyncClient, loaded: FakeRegistry
) -> None:
    catalogue = (await client.get("/v1/indicators")).json()["indicators"]
    summary = (await client.get("/v1/reports/summary")).json()
    assert [i["flag"] for i in catalogue] == [r["flag"] for r in summary["digital"]["rates"]]


async def test_rows_name_their_areas_current_and_former(
    client: httpx.AsyncClient, loaded: FakeRegistry
) -> None:
    answer = await client.get("/v1/stats?group_by=province,commune&as_of=2021-01-01")
    named = {
        row["commune"]: (row.get("province_label"), row.get("commune_label"))
        for row in answer.json()["rows"]
        if row.get("commune")
    }
    assert named["31825"] == ("Tỉnh Cà Mau", "Phường Bạc Liêu")
    legacy = await client.get("/v1/stats?group_by=legacy_province&as_of=2021-01-01")
    labels = {
        row["legacy_province"]: row.get("legacy_province_label") for row in legacy.json()["rows"]
    }
    assert labels["95"] == "Tỉnh Bạc Liêu"


async def test_downloads_name_the_area_and_write_the_day_as_readers_do(
    client: httpx.AsyncClient, loaded: FakeRegistry
) -> None:
    answer = await client.get("/v1/reports/summary?province=96&as_of=2022-07-30&format=xlsx")
    caption = load_workbook(io.BytesIO(answer.content)).active["A1"].value
    assert "Tỉnh Cà Mau (96)" in caption
    assert "30/07/2022" in caption


@pytest.mark.parametrize(
    ("accept_language", "language", "said"),
    [
        ("vi", "vi", "'district' không phải là khóa nhóm"),
        ("en-US", "en", "'district' is not a group key"),
    ],
)
async def test_the_same_bad_request_is_answered_in_the_language_asked_for(
    client: httpx.AsyncClient, accept_language: str, language: str, said: str
) -> None:
    response = await client.get(
        "/v1/stats",
        params={"group_by": "district", "as_of": "2022-07-30"},
        headers={"Accept-Language": accept_language},
    )
    assert response.status_code == 422
    assert response.headers["Content-Language"] == language
    body = response.json()
    assert body["error"] == "invalid_request"
    assert [e["field"] for e in body["errors"]] == ["query.group_by"]
    assert body["errors"][0]["message"].startswith(said)
    assert said in body["message"]


async def test_a_date_pydantic_refuses_is_explained_in_vietnamese(
    client: httpx.AsyncClient,
) -> None:
    response = await client.get(
        "/v1/stats", params={"as_of": "30/07/2022"}, headers={"Accept-Language": "vi"}
    )
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {
            "field": "query.as_of",
            "message": "Hãy gửi ngày theo dạng YYYY-MM-DD, ví dụ 2025-07-01.",
        }
    ]
