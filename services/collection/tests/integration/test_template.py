"""The survey template: Vietnamese headers over a hidden row of JSON paths, drop-downs whose
lists sit on hidden sheets, an instructions sheet carrying the version; the CSV for programs."""

from __future__ import annotations

import csv
import io

import httpx
import pytest
from openpyxl import load_workbook

from hoptac.collection.domain.fields import FIELDS, TEMPLATE_VERSION

pytestmark = pytest.mark.integration


async def test_the_workbook_has_vietnamese_headers_over_a_hidden_row_of_json_paths(
    client: httpx.AsyncClient,
) -> None:
    answer = await client.get("/v1/imports/template.xlsx")

    assert answer.status_code == 200
    book = load_workbook(io.BytesIO(answer.content))
    data = book["Dữ liệu"]
    assert data["B1"].value == "Mã số HTX / số đăng ký *"
    assert [cell.value for cell in data[2]] == [field.path for field in FIELDS]
    assert data.row_dimensions[2].hidden
    instructions = book["Hướng dẫn"]
    assert instructions["B2"].value == TEMPLATE_VERSION


async def test_every_coded_column_has_a_drop_down_from_a_hidden_list(
    client: httpx.AsyncClient,
) -> None:
    book = load_workbook(io.BytesIO((await client.get("/v1/imports/template.xlsx")).content))
    data = book["Dữ liệu"]
    lists = {sheet.title: sheet for sheet in book.worksheets if sheet.title.startswith("DM_")}
    checked = {
        str(rule.sqref).split(":")[0].rstrip("3"): rule.formula1
        for rule in data.data_validations.dataValidation
    }
    coded = [
        (index, field) for index, field in enumerate(FIELDS, start=1) if field.codes is not None
    ]
    assert len(checked) == len(coded)
    assert all(sheet.sheet_state == "hidden" for sheet in lists.values())
    assert lists["DM_commune"].max_row == 3321
    assert lists["DM_legacy_commune"].max_row == 10035
    assert lists["DM_province"]["A1"].value.endswith(" - Thành phố Hà Nội")
    assert "Khai thác, nuôi trồng thủy sản" in str(
        [row[0].value for row in lists["DM_vsic"].iter_rows()]
    )
    assert lists["DM_kind"]["A1"].value == "Hợp tác xã"


async def test_the_csv_template_is_one_row_of_json_paths(client: httpx.AsyncClient) -> None:
    answer = await client.get("/v1/imports/template.csv")

    (header,) = list(csv.reader(io.StringIO(answer.content.decode("utf-8-sig"))))
    assert header == [field.path for field in FIELDS]
    assert answer.headers["content-type"].startswith("text/csv")
