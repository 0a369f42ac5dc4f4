"""The survey template written as a workbook (openpyxl) or as CSV.

The workbook: a data sheet with the Vietnamese headers in row 1 and each column's JSON path in
row 2 (hidden), data from row 3; a drop-down for every coded column, its list on a hidden sheet
(DM_…); an instructions sheet carrying the template's version. The CSV: one header row of JSON
paths, for programs."""

from __future__ import annotations

import csv
import io

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from hoptac.collection.adapters.spreadsheet import DATA_SHEET, INSTRUCTIONS_SHEET, LIST_SHEET_PREFIX
from hoptac.collection.domain.cells import CodeLists
from hoptac.collection.domain.fields import FIELDS, TEMPLATE_VERSION, CodeList, Value
from hoptac.collection.domain.problems import column_letter

VALUE_NAMES = {
    Value.TEXT: "chữ",
    Value.INTEGER: "số nguyên",
    Value.DATE: "ngày (dd/mm/yyyy)",
    Value.BOOLEAN: "Có / Không",
    Value.CODE: "chọn từ danh sách",
    Value.CODES: "một hoặc nhiều mã, cách nhau bằng ;",
}
STEPS = (
    "Mỗi hàng là một tổ chức; điền từ hàng 3 của trang “Dữ liệu”. Không sửa hàng 1 và hàng 2.",
    "Cột có danh sách thả xuống: chọn giá trị trong danh sách (có thể gõ mã, ví dụ 31825).",
    "Tổ chức mới: để trống cột “Mã hồ sơ trên hệ thống”; các cột có dấu * là bắt buộc.",
    "Cập nhật hồ sơ đã có: giữ “Mã hồ sơ trên hệ thống”, chỉ điền những ô cần thay đổi.",
    "Không dùng công thức, không gộp ô, không ẩn trang; chữ tiếng Việt theo Unicode.",
    "Tải lên để kiểm tra thử trước (không ghi gì), sửa các lỗi theo hàng và cột được báo.",
)
DATA_ROWS = 100_000  # rows the drop-downs cover


def template_csv() -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerow([field.path for field in FIELDS])
    return ("\ufeff" + buffer.getvalue()).encode()  # with a BOM, so Excel reads it as UTF-8


def template_xlsx(code_lists: CodeLists) -> bytes:
    book = Workbook()
    data = book.active
    assert data is not None
    data.title = DATA_SHEET
    _data_sheet(data, code_lists, book)
    _instructions(book.create_sheet(INSTRUCTIONS_SHEET))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _data_sheet(sheet: Worksheet, code_lists: CodeLists, book: Workbook) -> None:
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="DDEBF7")
    list_ranges: dict[CodeList, str] = {}
    for index, field in enumerate(FIELDS):
        letter = column_letter(index)
        header = sheet.cell(
            row=1, column=index + 1, value=field.header + (" *" if field.required else "")
        )
        header.font, header.fill = bold, fill
        header.alignment = Alignment(wrap_text=True, vertical="top")
        sheet.cell(row=2, column=index + 1, value=field.path)
        sheet.column_dimensions[letter].width = 24
        if field.codes is None:
            continue
        if field.codes not in list_ranges:
            list_ranges[field.codes] = _list_sheet(book, field.codes, code_lists)
        check = DataValidation(
            type="list",
            formula1=list_ranges[field.codes],
            allow_blank=True,
            showErrorMessage=True,
            # Several VSIC codes may be typed in one cell: a warning, not a refusal.
            errorStyle="warning" if field.value is Value.CODES else "stop",
            errorTitle=field.header,
            error="Hãy chọn một giá trị trong danh sách.",
        )
        check.add(f"{letter}3:{letter}{DATA_ROWS + 2}")
        sheet.add_data_validation(check)
    sheet.row_dimensions[1].height = 45
    sheet.row_dimensions[2].hidden = True
    sheet.freeze_panes = "C3"


def _list_sheet(book: Workbook, codes: CodeList, code_lists: CodeLists) -> str:
    sheet = book.create_sheet(f"{LIST_SHEET_PREFIX}{codes.value}")
    sheet.sheet_state = "hidden"
    known = code_lists[codes]
    for row, code in enumerate(known.labels, start=1):
        sheet.cell(row=row, column=1, value=known.choice(code))
    return f"'{sheet.title}'!$A$1:$A${max(len(known.labels), 1)}"


def _instructions(sheet: Worksheet) -> None:
    sheet.column_dimensions["A"].width = 45
    sheet.column_dimensions["B"].width = 30
    sheet.column_dimensions["C"].width = 22
    sheet.column_dimensions["D"].width = 60
    sheet.append(["Mẫu khảo sát, cập nhật thông tin tổ chức kinh tế tập thể"])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append(["Phiên bản mẫu", TEMPLATE_VERSION])
    sheet.append([])
    for number, step in enumerate(STEPS, start=1):
        sheet.append([f"{number}. {step}"])
    sheet.append([])
    sheet.append(["Cột", "Mã trường", "Kiểu", "Ghi chú"])
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    for field in FIELDS:
        required = "bắt buộc với tổ chức mới" if field.required else ""
        note = "; ".join(part for part in (required, field.note) if part)
        sheet.append([field.header, field.path, VALUE_NAMES[field.value], note])
