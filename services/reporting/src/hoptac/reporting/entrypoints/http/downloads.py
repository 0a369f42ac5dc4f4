"""Answers as files: the same figures as the JSON, with Vietnamese headers and units."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel

from hoptac.reporting.adapters import exports
from hoptac.reporting.adapters.area_names import official_area_names
from hoptac.reporting.adapters.exports import Rate, Sheet
from hoptac.reporting.domain import labels
from hoptac.reporting.domain.summary import table_rows

TOTAL = "Tổng cộng"
MEASURE_HEADERS = (
    ("organizations", labels.KEY["organizations"]),
    ("members", labels.KEY["members"]),
    ("workers", labels.KEY["workers"]),
    ("charter_capital", labels.KEY["charter_capital"]),
)
FILTER_NAMES = {key: labels.KEY.get(key, key) for key in labels.KEY}


def _named(key: str, code: str) -> str:
    """An area by its name and code ("Tỉnh Cà Mau (96)"), any other value as it is."""
    name = official_area_names().get(key, {}).get(code)
    return f"{name} ({code})" if name else code


def _where(answer: Mapping[str, Any]) -> str:
    filters = answer.get("filters") or {}
    parts = [
        f"{FILTER_NAMES.get(k, k)}: {', '.join(_named(k, code) for code in v)}"
        for k, v in filters.items()
    ]
    return f" ({'; '.join(parts)})" if parts else ""


def _day(iso: str) -> str:
    """A day as Vietnamese readers write it: 30/07/2022."""
    return date.fromisoformat(iso).strftime("%d/%m/%Y")


def json_response(answer: dict[str, Any]) -> Response:
    """The answer as JSON, encoded directly: answers hold only JSON types already, so FastAPI's
    generic encoder (a Python walk of every value, several ms for hundreds of rows) is skipped;
    the bytes are the same."""
    return JSONResponse(answer)


# What the routes that answer in several formats document (format=json|csv|xlsx, or PNG).
_TEXT = {"schema": {"type": "string"}}
_BINARY = {"schema": {"type": "string", "format": "binary"}}


def table_formats(answer: type[BaseModel]) -> dict[int | str, dict[str, Any]]:
    """A route that answers `answer` as JSON, or the same figures as a CSV or XLSX file."""
    return {
        200: {
            "description": "JSON by default; CSV or XLSX with format=csv|xlsx",
            "model": answer,
            "content": {
                exports.CSV_MEDIA_TYPE.split(";")[0]: _TEXT,
                exports.XLSX_MEDIA_TYPE: _BINARY,
            },
        }
    }


PNG: dict[int | str, dict[str, Any]] = {
    200: {"description": "A chart", "content": {exports.PNG_MEDIA_TYPE: _BINARY}}
}


def file_response(content: bytes, media_type: str, filename: str) -> Response:
    return Response(
        content,
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def stats_table(answer: Mapping[str, Any]) -> tuple[list[str], list[list[Any]]]:
    keys: list[str] = list(answer["group_by"])
    headers: list[str] = []
    for key in keys:
        headers.append(labels.KEY[key])
        if key in labels.BY_KEY:
            headers.append(f"{labels.KEY[key]} (tên)")
    has_level = any("counted_at" in row for row in answer["rows"])
    if has_level:
        headers.append(labels.KEY["counted_at"])
    headers += [name for _, name in MEASURE_HEADERS]
    rows: list[list[Any]] = []
    for row in answer["rows"]:
        line: list[Any] = []
        for key in keys:
            line.append(row[key])
            if key in labels.BY_KEY:
                line.append(row.get(f"{key}_label"))
        if has_level:
            line.append(row.get("counted_at_label"))
        line += [row[measure] for measure, _ in MEASURE_HEADERS]
        rows.append(line)
    total: list[Any] = [TOTAL, *[None] * (len(headers) - len(MEASURE_HEADERS) - 1)]
    rows.append(total + [answer["totals"][measure] for measure, _ in MEASURE_HEADERS])
    return headers, rows


def stats_download(answer: Mapping[str, Any], fmt: str) -> Response:
    headers, rows = stats_table(answer)
    name = f"thong-ke-{answer['as_of']}"
    if fmt == "csv":
        return file_response(
            exports.csv_bytes(headers, rows), exports.CSV_MEDIA_TYPE, f"{name}.csv"
        )
    caption = f"Thống kê tổ chức kinh tế tập thể đến ngày {_day(answer['as_of'])}{_where(answer)}"
    sheet = Sheet("Thống kê", caption, headers, rows)
    return file_response(exports.xlsx_bytes([sheet]), exports.XLSX_MEDIA_TYPE, f"{name}.xlsx")


SUMMARY_HEADERS = ["Phần", "Chỉ tiêu", "Giá trị", "Đơn vị tính"]


def _as_rate(line: Sequence[Any]) -> list[Any]:
    """A percentage line of the summary (33.33, "%") as the rate a workbook formats (0.3333)."""
    section, indicator, value, unit = line
    if unit == "%" and value is not None:
        return [section, indicator, Rate(round(value / 100, 4)), "tỷ lệ"]
    return list(line)


def _with_total(rows: list[list[Any]], first: int, columns: range) -> list[list[Any]]:
    """`rows` and their total row: `columns` summed, the label in column `first`."""
    total: list[Any] = [None] * len(rows[0]) if rows else []
    if total:
        total[first] = TOTAL
        for index in columns:
            total[index] = sum(row[index] or 0 for row in rows)
    return [*rows, total] if total else rows


def summary_download(answer: Mapping[str, Any], fmt: str) -> Response:
    lines = table_rows(answer)
    name = f"bao-cao-tong-hop-{answer['as_of']}"
    if fmt == "csv":
        return file_response(
            exports.csv_bytes(SUMMARY_HEADERS, [list(line) for line in lines]),
            exports.CSV_MEDIA_TYPE,
            f"{name}.csv",
        )
    caption = f"Báo cáo tổng hợp kinh tế tập thể đến ngày {_day(answer['as_of'])}{_where(answer)}"
    rows = [_as_rate(line) for line in lines]
    sheets = [Sheet("Tổng hợp", caption, SUMMARY_HEADERS, rows)]
    sector_headers = [
        "Lĩnh vực",
        "Nhóm ngành",
        "Số tổ chức",
        "Đang hoạt động",
        "Ngừng hoạt động",
        labels.KEY["members"],
        labels.KEY["workers"],
        labels.KEY["charter_capital"],
    ]
    sector_rows = [
        [
            row["label"],
            labels.SECTOR_CLASS[
                "agriculture" if row["sector_group"] == "agriculture" else "non_agriculture"
            ],
            row["organizations"],
            row["operating"],
            row["stopped"],
            row["members"],
            row["workers"],
            row["charter_capital"],
        ]
        for row in answer["by_sector_group"]
    ]
    sheets.append(
        Sheet(
            "Theo lĩnh vực",
            "Tổ chức kinh tế tập thể theo lĩnh vực đến ngày "
            f"{_day(answer['as_of'])}{_where(answer)}",
            sector_headers,
            _with_total(sector_rows, 0, range(2, 8)),
        )
    )
    return file_response(exports.xlsx_bytes(sheets), exports.XLSX_MEDIA_TYPE, f"{name}.xlsx")


def summary_chart(answer: Mapping[str, Any]) -> Response:
    sectors: Sequence[Mapping[str, Any]] = answer["by_sector_group"]
    content = exports.bar_chart_png(
        f"Tổ chức kinh tế tập thể theo lĩnh vực, đến ngày {_day(answer['as_of'])}{_where(answer)}",
        [row["label"] for row in sectors],
        [
            ("Đang hoạt động", [row["operating"] for row in sectors]),
            ("Ngừng hoạt động", [row["stopped"] for row in sectors]),
        ],
        "Số tổ chức",
    )
    return Response(content, media_type=exports.PNG_MEDIA_TYPE)


TREND_HEADERS = [
    ("period", "Kỳ"),
    ("to", "Đến ngày"),
    ("organizations", "Số tổ chức"),
    ("operating", "Đang hoạt động"),
    ("stopped", "Ngừng hoạt động"),
    ("registered", "Thành lập mới trong kỳ"),
    ("members", labels.KEY["members"]),
    ("workers", labels.KEY["workers"]),
]


def trends_download(answer: Mapping[str, Any], fmt: str) -> Response:
    headers = [name for _, name in TREND_HEADERS]
    # Counts at each period's end do not add up across periods; what was founded in each does.
    registered = [key for key, _ in TREND_HEADERS].index("registered")
    rows = _with_total(
        [[row[key] for key, _ in TREND_HEADERS] for row in answer["periods"]],
        0,
        range(registered, registered + 1),
    )
    name = f"xu-huong-{answer['unit']}-{answer['from']}-{answer['to']}"
    if fmt == "csv":
        return file_response(
            exports.csv_bytes(headers, rows), exports.CSV_MEDIA_TYPE, f"{name}.csv"
        )
    unit = "tháng" if answer["unit"] == "month" else "năm"
    caption = (
        f"Xu hướng theo {unit}, từ {_day(answer['from'])} đến {_day(answer['to'])}{_where(answer)}"
    )
    sheet = Sheet("Xu hướng", caption, headers, rows)
    return file_response(exports.xlsx_bytes([sheet]), exports.XLSX_MEDIA_TYPE, f"{name}.xlsx")


def trends_chart(answer: Mapping[str, Any]) -> Response:
    periods = [row["period"] for row in answer["periods"]]
    content = exports.line_chart_png(
        f"Số tổ chức kinh tế tập thể, {_day(answer['from'])} – {_day(answer['to'])}"
        f"{_where(answer)}",
        periods,
        [
            ("Tổng số", [row["organizations"] for row in answer["periods"]]),
            ("Đang hoạt động", [row["operating"] for row in answer["periods"]]),
            ("Ngừng hoạt động", [row["stopped"] for row in answer["periods"]]),
        ],
        "Số tổ chức",
    )
    return Response(content, media_type=exports.PNG_MEDIA_TYPE)
