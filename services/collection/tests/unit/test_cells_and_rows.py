"""Cells read as their column's value the way officers type them, rows nested as the registry
takes them."""

from __future__ import annotations

import unicodedata
from datetime import datetime
from typing import Any
from uuid import uuid4

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hoptac.collection.domain.cells import CellProblem, Codes, read_cell
from hoptac.collection.domain.fields import BY_PATH, FIELDS, CodeList
from hoptac.collection.domain.problems import column_letter
from hoptac.collection.domain.rows import RowReader, nest, read_row

pytestmark = pytest.mark.unit

LISTS = {
    CodeList.KIND: Codes({"cooperative": "Hợp tác xã", "cooperative_group": "Tổ hợp tác"}),
    CodeList.COMMUNE: Codes({"31825": "Phường Bạc Liêu, Cà Mau"}),
    CodeList.STATUS: Codes({"operating": "Đang hoạt động", "dissolved": "Đã giải thể"}),
}


@pytest.mark.parametrize(
    ("path", "raw", "value"),
    [
        ("members_count", "4.497", 4497),
        ("members_count", "4 497", 4497),
        ("members_count", 25.0, 25),
        ("financials.0.profit", "-1.500.000", -1500000),
        ("registered_on", "30/07/2022", "2022-07-30"),
        ("registered_on", "2022-07-30", "2022-07-30"),
        ("registered_on", datetime(2022, 7, 30), "2022-07-30"),
        ("digital.internet", "Có", True),
        ("digital.internet", "khong", False),
        ("digital.internet", "x", True),
        ("kind", "Hợp tác xã", "cooperative"),
        ("kind", "HOP TAC XA", "cooperative"),
        ("kind", "cooperative_group", "cooperative_group"),
        ("address.commune_code", "31825 - Phường Bạc Liêu, Cà Mau", "31825"),
        ("address.commune_code", 31825.0, "31825"),
        ("registration_number", 6001000001.0, "6001000001"),
        ("name", unicodedata.normalize("NFD", " Hoà Bình "), "Hoà Bình"),
    ],
)
def test_a_cell_is_read_as_officers_type_it(path: str, raw: Any, value: Any) -> None:
    assert read_cell(raw, BY_PATH[path], LISTS) == value


@pytest.mark.parametrize(
    ("path", "raw", "code"),
    [
        ("members_count", "nhiều", "type_error"),
        ("members_count", 2.5, "type_error"),
        ("registered_on", "31/02/2015", "type_error"),
        ("registered_on", "hôm qua", "type_error"),
        ("digital.internet", "có lẽ", "type_error"),
        ("kind", "Công ty", "unknown_code"),
        ("address.commune_code", "99999", "unknown_code"),
    ],
)
def test_a_cell_that_cannot_be_read_says_why_in_vietnamese(path: str, raw: Any, code: str) -> None:
    with pytest.raises(CellProblem) as problem:
        read_cell(raw, BY_PATH[path], LISTS)

    assert problem.value.code == code
    assert problem.value.message


def test_paths_nest_into_objects_and_numbered_slots_into_lists() -> None:
    flat = {
        "address.province_code": "96",
        "ocop_products.0.name": "Mật ong U Minh",
        "ocop_products.2.name": "Tôm khô",
        "financials.0.year": 2024,
    }

    assert nest(flat) == {
        "address": {"province_code": "96"},
        "ocop_products": [{"name": "Mật ong U Minh"}, {"name": "Tôm khô"}],
        "financials": [{"year": 2024}],
    }


def test_a_row_for_an_existing_record_needs_no_required_field_but_a_status_needs_its_reason() -> (
    None
):
    paths = ["id", "status", "status_reason"]

    changed = read_row(3, paths, [str(uuid4()), "Đã giải thể", "giải thể tự nguyện"], LISTS)
    unexplained = read_row(4, paths, [str(uuid4()), "Đã giải thể", None], LISTS)

    assert changed.change is not None
    assert changed.change.status == "dissolved"
    assert [(p.row, p.column, p.code) for p in unexplained.problems] == [(4, "C", "missing")]


def test_a_new_row_reports_each_missing_required_field_at_its_column() -> None:
    paths = [field.path for field in FIELDS]
    cells: list[Any] = [None] * len(paths)
    cells[paths.index("name")] = "Hợp tác xã Tân Hưng"

    read = read_row(5, paths, cells, LISTS)

    missing = {p.field for p in read.problems if p.code == "missing"}
    assert missing == {f.path for f in FIELDS if f.required and f.path != "name"}
    assert all(p.column == column_letter(paths.index(p.field or "")) for p in read.problems)


def test_the_same_change_has_the_same_key_from_any_file() -> None:
    paths = ["id", "members_count"]
    org = str(uuid4())

    first = read_row(3, paths, [org, "30"], LISTS).change
    second = read_row(9, paths, [org, 30], LISTS).change

    assert first is not None
    assert second is not None
    assert first.key() == second.key()


MIXED_LISTS = {**LISTS, CodeList.VSIC: Codes({"01": "Trồng trọt", "03": "Thủy sản"})}
MIXED_PATHS = ["registration_number", "kind", "members_count", "digital.internet", "sector.vsic"]
MIXED_CELLS = st.sampled_from(
    [None, "", " ", True, False, 1, 1.0, 0, 25.5, "1", "x", "Có", "4.497", "01; 03", "Tổ hợp tác"]
)


@given(st.lists(st.lists(MIXED_CELLS, min_size=5, max_size=5), max_size=12))
@settings(deadline=None, max_examples=200)
def test_a_files_rows_read_by_one_reader_are_read_as_each_row_alone(
    rows: list[list[Any]],
) -> None:
    """One reader reads each column's distinct cells once: the same values and problems as
    reading every row anew, though True, 1 and 1.0 are equal keys, and a row's list its own."""
    reader = RowReader(MIXED_PATHS, MIXED_LISTS)

    together = [reader.read(3 + n, cells) for n, cells in enumerate(rows)]

    assert together == [
        read_row(3 + n, MIXED_PATHS, cells, MIXED_LISTS) for n, cells in enumerate(rows)
    ]
    lists = [
        id(r.change.record["sector"]["vsic"])
        for r in together
        if r.change and "sector" in r.change.record
    ]
    assert len(lists) == len(set(lists))
