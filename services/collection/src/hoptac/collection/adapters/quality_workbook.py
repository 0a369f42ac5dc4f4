"""The monthly data-quality report of a province as an XLSX workbook: a summary sheet (one row
per commune and one for the whole area) and a sheet with every record, Vietnamese headers, each
score coloured by its band (red ≤ 90 %, orange ≤ 95 %, yellow ≤ 98 %, green above). The figures
are those of GET /v1/quality for the same area (and month), written as numbers."""

from __future__ import annotations

import io
from datetime import date
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.worksheet.worksheet import Worksheet

from hoptac.collection.adapters.area_names import commune_name
from hoptac.collection.domain.quality import DIMENSIONS

SUMMARY_SHEET = "Tổng hợp"
RECORDS_SHEET = "Hồ sơ"
DIMENSION_HEADERS = {
    "completeness": "Đầy đủ (%)",
    "validity": "Hợp lệ (%)",
    "freshness": "Cập nhật (%)",
    "consistency": "Nhất quán (%)",
    "uniqueness": "Không trùng lặp (%)",
    "evidence": "Bằng chứng hoạt động (%)",
}
BAND_LABELS = {"red": "Đỏ", "orange": "Cam", "yellow": "Vàng", "green": "Xanh"}
BAND_FILLS = {
    name: PatternFill("solid", start_color=colour, end_color=colour)
    for name, colour in (
        ("red", "F4A6A6"),
        ("orange", "F9CB9C"),
        ("yellow", "FFE599"),
        ("green", "B6D7A8"),
    )
}
SUMMARY_HEADERS = (
    "Mã xã/phường",
    "Xã/phường",
    "Số hồ sơ",
    *DIMENSION_HEADERS.values(),
    "Điểm chất lượng (%)",
    "Mức",
    *(f"Số hồ sơ mức {label.lower()}" for label in BAND_LABELS.values()),
    "Quá hạn cập nhật",
)
RECORD_HEADERS = (
    "Mã hồ sơ",
    "Tên tổ chức",
    "Mã xã/phường",
    "Xã/phường",
    *DIMENSION_HEADERS.values(),
    "Điểm chất lượng (%)",
    "Mức",
    "Quá hạn cập nhật",
)
BOLD = Font(bold=True)


def quality_workbook(
    found: dict[str, Any], month: date, made_on: date, stored: bool = False
) -> bytes:
    """`found`: what GET /v1/quality answers for the area; `stored`: the figures kept when the
    month ended, on `made_on`, rather than made now."""
    book = Workbook()
    summary = book.active
    assert summary is not None
    summary.title = SUMMARY_SHEET
    summary.append(
        [
            f"Báo cáo chất lượng dữ liệu tháng {month:%m/%Y} — "
            f"{found['province_name']} (mã {found['province_code']})"
        ]
    )
    summary["A1"].font = Font(bold=True, size=14)
    if stored:
        made = f"Số liệu chốt ngày {made_on:%d/%m/%Y}, khi tháng kết thúc; điểm như lúc chốt."
    else:
        made = f"Lập ngày {made_on:%d/%m/%Y}; điểm tính theo sổ đăng ký đến thời điểm lập."
    summary.append([made])
    summary.append([])
    _header(summary, SUMMARY_HEADERS)
    for commune in found["communes"]:
        _summary_row(summary, commune["commune_code"], commune["commune_name"], commune)
    _summary_row(summary, None, "Toàn bộ", found)
    for cell in summary[summary.max_row]:
        cell.font = BOLD
    records = book.create_sheet(RECORDS_SHEET)
    _header(records, RECORD_HEADERS)
    for item in found["items"]:
        records.append(
            [
                item["id"],
                item["name"],
                item["commune_code"],
                commune_name(item["commune_code"]),
                *(item[name] for name in DIMENSIONS),
                item["score"],
                BAND_LABELS[item["band"]],
                "Có" if item["lapsed"] else "Không",
            ]
        )
        _colour(records, records.max_row, 5 + len(DIMENSIONS), item["band"])
    summary.freeze_panes = "C5"
    records.freeze_panes = "C2"
    for sheet in (summary, records):
        sheet.column_dimensions["A"].width = 14
        sheet.column_dimensions["B"].width = 40
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _header(sheet: Worksheet, headers: tuple[str, ...]) -> None:
    sheet.append(list(headers))
    for cell in sheet[sheet.max_row]:
        cell.font = BOLD


def _summary_row(sheet: Worksheet, code: str | None, name: str, figures: dict[str, Any]) -> None:
    band = figures["band"]
    sheet.append(
        [
            code,
            name,
            figures["records"],
            *(figures[dimension] for dimension in DIMENSIONS),
            figures["score"],
            BAND_LABELS[band] if band else None,
            *(figures["bands"][name] for name in BAND_LABELS),
            figures["lapsed"],
        ]
    )
    if band:
        _colour(sheet, sheet.max_row, 4 + len(DIMENSIONS), band)


def _colour(sheet: Worksheet, row: int, score_column: int, band: str) -> None:
    """The score and its band label, filled with the band's colour."""
    for column in (score_column, score_column + 1):
        sheet.cell(row, column).fill = BAND_FILLS[band]
