"""Downloads: CSV (UTF-8 with a BOM, so Excel reads Vietnamese), XLSX workbooks, PNG charts."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

CSV_MEDIA_TYPE = "text/csv; charset=utf-8"
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PNG_MEDIA_TYPE = "image/png"


WHOLE_NUMBER = "#,##0"  # 4.497 in a Vietnamese Excel, 4,497 in an English one
PERCENT = "0.00%"


class Rate(float):
    """A share between 0 and 1, shown in a workbook as a percentage (0.3333 → 33.33 %)."""


@dataclass(frozen=True)
class Sheet:
    """One table of a workbook. Whole numbers show as whole numbers and rates as percentages,
    whatever their column; `number_formats` (column index -> Excel format) overrides that."""

    title: str  # at most 31 characters, Excel's limit
    caption: str  # the first line: what, where, on which day
    headers: Sequence[str]
    rows: Sequence[Sequence[Any]]
    number_formats: dict[int, str] | None = None


def csv_bytes(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(headers)
    writer.writerows(["" if value is None else value for value in row] for row in rows)
    return buffer.getvalue().encode("utf-8-sig")


def xlsx_bytes(sheets: Sequence[Sheet]) -> bytes:
    workbook = Workbook(write_only=False)
    for blank in workbook.worksheets:  # the sheet a new workbook starts with
        workbook.remove(blank)
    bold = Font(bold=True)
    header_fill = PatternFill("solid", fgColor="DDEBF7")
    for sheet in sheets:
        page = workbook.create_sheet(sheet.title[:31])
        page.append([sheet.caption])
        page["A1"].font = Font(bold=True, size=12)
        page.append(list(sheet.headers))
        for cell in page[2]:
            cell.font = bold
            cell.fill = header_fill
            cell.alignment = Alignment(wrap_text=True, vertical="center")
        for row in sheet.rows:
            page.append(list(row))
            for cell, value in zip(page[page.max_row], row, strict=True):
                cell.number_format = _number_format(value)
        for index, fmt in (sheet.number_formats or {}).items():
            letter = get_column_letter(index + 1)
            for cell in page[letter][2:]:
                cell.number_format = fmt
        for index, header in enumerate(sheet.headers):
            width = max(
                [len(str(header))]
                + [len(str(row[index])) for row in sheet.rows if row[index] is not None]
            )
            page.column_dimensions[get_column_letter(index + 1)].width = min(60, max(10, width + 2))
        page.freeze_panes = "A3"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _number_format(value: object) -> str:
    if isinstance(value, Rate):
        return PERCENT
    if isinstance(value, int) and not isinstance(value, bool):
        return WHOLE_NUMBER
    return "General"


def bar_chart_png(
    title: str,
    categories: Sequence[str],
    series: Sequence[tuple[str, Sequence[int]]],
    y_label: str,
) -> bytes:
    """A stacked bar chart as PNG (matplotlib, Agg: no display needed)."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    figure = Figure(figsize=(10, 5.5), dpi=100)
    axes = figure.add_subplot()
    bottom = [0] * len(categories)
    for name, values in series:
        bars = axes.bar(categories, values, bottom=bottom, label=name)
        # The number on each bar, grouped as Vietnamese readers write it (4.497).
        shown = [f"{v:,}".replace(",", ".") if v else "" for v in values]
        axes.bar_label(bars, labels=shown, label_type="center", fontsize=8)
        bottom = [b + v for b, v in zip(bottom, values, strict=True)]
    axes.set_title(title)
    axes.set_ylabel(y_label)
    axes.legend()
    axes.tick_params(axis="x", labelrotation=25)
    for tick in axes.get_xticklabels():
        tick.set_horizontalalignment("right")
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def line_chart_png(
    title: str, periods: Sequence[str], series: Sequence[tuple[str, Sequence[int]]], y_label: str
) -> bytes:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    figure = Figure(figsize=(10, 5.5), dpi=100)
    axes = figure.add_subplot()
    for name, values in series:
        axes.plot(periods, values, marker="o", label=name)
    axes.set_title(title)
    axes.set_ylabel(y_label)
    axes.legend()
    axes.tick_params(axis="x", labelrotation=45)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()
