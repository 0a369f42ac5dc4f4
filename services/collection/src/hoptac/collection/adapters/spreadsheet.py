"""Reading an uploaded XLSX or CSV file, refusing what cannot be read safely or faithfully.

Checked before a cell is read: size; for a workbook, the total it expands to (a small zip can
hold gigabytes), macros, formulas (their values are whatever the last program computed), merged
cells (one value meant for several rows), hidden or empty sheets. Values are read with calamine
(fast, values only); the checks read the workbook's parts directly.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from python_calamine import CalamineError, CalamineWorkbook, SheetVisibleEnum

from hoptac.collection.domain.fields import BY_PATH, TEMPLATE_VERSION
from hoptac.collection.domain.problems import Problem, column_letter

DATA_SHEET = "Dữ liệu"
INSTRUCTIONS_SHEET = "Hướng dẫn"
LIST_SHEET_PREFIX = "DM_"  # the template's hidden code lists
_FORMULA = re.compile(rb"<(?:\w+:)?f[\s>/]")
_VERSION = re.compile(r"hoptac-khao-sat-\d+")


@dataclass(frozen=True)
class Limits:
    max_bytes: int = 50_000_000
    max_unzipped_bytes: int = 500_000_000
    max_rows: int = 100_000
    max_columns: int = 200
    max_cell_chars: int = 5_000


class FileRefused(Exception):
    """The whole file is refused: nothing in it is imported."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.message)
        self.problem = problem


@dataclass(frozen=True)
class Sheet:
    format: str  # "xlsx" or "csv"
    paths: list[str | None]  # each column's field (None: a column ignored)
    first_row: int  # the spreadsheet's number of the first data row (the header is row 1)
    rows: list[list[Any]]
    problems: list[Problem]  # about columns and cells, found while reading
    template_version: str | None


def _refuse(code: str, message: str) -> FileRefused:
    return FileRefused(Problem(code, message))


def read_upload(data: bytes, filename: str, limits: Limits) -> Sheet:
    if len(data) > limits.max_bytes:
        raise _refuse("file_too_large", f"tệp lớn hơn {limits.max_bytes:,} byte; hãy chia nhỏ")
    if not data.strip():
        raise _refuse("empty_file", "tệp rỗng")
    lower = filename.lower()
    if lower.endswith((".xlsm", ".xltm", ".xlsb", ".xls")):
        raise _refuse(
            "unsupported_format",
            "chỉ nhận tệp .xlsx (không có macro) hoặc .csv; hãy lưu lại theo dạng "
            "Excel Workbook (.xlsx)",
        )
    if data[:4] == b"PK\x03\x04":
        return _read_workbook(data, limits)
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise _refuse("unsupported_format", "tệp Excel 97-2003 (.xls): hãy lưu lại theo dạng .xlsx")
    return _read_csv(data, limits)


def _check_parts(archive: zipfile.ZipFile, limits: Limits) -> None:
    infos = archive.infolist()
    names = {info.filename for info in infos}
    # A macro is named in the archive's directory: refused before anything is unpacked.
    if any(name.lower().endswith("vbaproject.bin") for name in names):
        raise _refuse_macro()
    expanded = sum(info.file_size for info in infos)
    if expanded > limits.max_unzipped_bytes:
        raise _refuse(
            "zip_bomb",
            f"bảng tính giải nén ra {expanded:,} byte, quá giới hạn {limits.max_unzipped_bytes:,}",
        )
    content_types = archive.read("[Content_Types].xml") if "[Content_Types].xml" in names else b""
    if b"macroEnabled" in content_types:
        raise _refuse_macro()
    worksheets = (n for n in names if n.startswith("xl/worksheets/") and n.endswith(".xml"))
    for name in worksheets:
        if _FORMULA.search(archive.read(name)):
            raise _refuse(
                "formula",
                "bảng tính có công thức: hãy sao chép và dán giá trị (Paste Values) rồi "
                "tải lên lại",
            )


def _refuse_macro() -> FileRefused:
    return _refuse(
        "macro", "bảng tính có macro: không nhận; hãy lưu lại theo dạng Excel Workbook (.xlsx)"
    )


def _read_workbook(data: bytes, limits: Limits) -> Sheet:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            _check_parts(archive, limits)
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    except (zipfile.BadZipFile, CalamineError, KeyError, ValueError) as error:
        raise _refuse("unreadable", f"không đọc được bảng tính: {error}") from error
    data_sheets = []
    for meta in book.sheets_metadata:
        if meta.visible != SheetVisibleEnum.Visible:
            if meta.name.startswith(LIST_SHEET_PREFIX):
                continue
            raise _refuse(
                "hidden_sheet",
                f"trang “{meta.name}” đang bị ẩn: hãy hiện nó ra hoặc xóa nó rồi tải lên lại",
            )
        if meta.name != INSTRUCTIONS_SHEET:
            data_sheets.append(meta.name)
    if len(data_sheets) != 1:
        raise _refuse(
            "sheets",
            f"bảng tính cần đúng một trang dữ liệu, có {len(data_sheets)}: "
            f"{', '.join(data_sheets) or 'không có'}",
        )
    sheet = book.get_sheet_by_name(data_sheets[0])
    if sheet.merged_cell_ranges:
        (start, end), *_ = sheet.merged_cell_ranges
        where = f"{column_letter(start[1])}{start[0] + 1}:{column_letter(end[1])}{end[0] + 1}"
        raise _refuse("merged_cells", f"bảng tính có ô gộp ({where}): hãy bỏ gộp ô")
    if sheet.total_height > limits.max_rows + 2:
        raise _refuse("too_many_rows", f"quá {limits.max_rows:,} hàng; hãy chia thành nhiều tệp")
    rows = sheet.to_python(skip_empty_area=False)
    version = _template_version(book)
    return _shaped("xlsx", rows, version, limits)


def _template_version(book: CalamineWorkbook) -> str | None:
    if INSTRUCTIONS_SHEET not in book.sheet_names:
        return None
    for row in book.get_sheet_by_name(INSTRUCTIONS_SHEET).iter_rows():
        for cell in row:
            if isinstance(cell, str) and (match := _VERSION.search(cell)):
                return match.group(0)
    return None


def _read_csv(data: bytes, limits: Limits) -> Sheet:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise _refuse(
            "encoding",
            "tệp CSV không phải UTF-8: hãy lưu lại với bảng mã UTF-8 (CSV UTF-8)",
        ) from None
    if "\x00" in text:
        raise _refuse("unreadable", "tệp có ký tự NUL: không phải một tệp CSV")
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    rows: list[list[Any]] = []
    try:
        for row in csv.reader(io.StringIO(text, newline=""), dialect):
            rows.append(list(row))
            if len(rows) > limits.max_rows + 1:
                raise _refuse("too_many_rows", f"quá {limits.max_rows:,} hàng; hãy chia nhỏ tệp")
    except csv.Error as error:  # the csv module's own bound on a field is 131,072 characters
        raise _refuse("unreadable", f"tệp CSV hỏng hoặc có ô quá dài: {error}") from error
    return _shaped("csv", rows, None, limits)


def _is_paths(row: Sequence[Any]) -> bool:
    named = [str(cell).strip() for cell in row if cell not in (None, "")]
    return bool(named) and all(
        name in BY_PATH or "." in name or name.isidentifier() for name in named
    )


def _shaped(fmt: str, rows: list[list[Any]], version: str | None, limits: Limits) -> Sheet:
    """Find the row of JSON paths (row 1 of a file written by a program, row 2 of the
    template, under its Vietnamese headers) and check the columns it names."""
    rows = _trimmed(rows)
    if not rows:
        raise _refuse("empty_sheet", "trang dữ liệu trống")
    if version is not None and version != TEMPLATE_VERSION:
        raise _refuse(
            "template_version",
            f"tệp được lập từ mẫu phiên bản {version}, nay là {TEMPLATE_VERSION}: hãy tải mẫu "
            "mới và chép dữ liệu sang",
        )
    if _is_paths(rows[0]):
        header_index = 0
    elif len(rows) > 1 and _is_paths(rows[1]):
        header_index = 1
    else:
        raise _refuse(
            "no_field_row",
            "không thấy hàng mã trường (registration_number, name, …) ở hàng 1 hoặc 2: hãy "
            "dùng mẫu tải từ hệ thống",
        )
    header = rows[header_index]
    if len(header) > limits.max_columns:
        raise _refuse("too_many_columns", f"quá {limits.max_columns} cột")
    paths: list[str | None] = []
    problems: list[Problem] = []
    for index, cell in enumerate(header):
        name = str(cell).strip() if cell not in (None, "") else ""
        if not name:
            paths.append(None)
        elif name in paths:
            problems.append(
                Problem(
                    "duplicate_column",
                    f"cột “{name}” có hai lần",
                    header_index + 1,
                    column_letter(index),
                    name,
                )
            )
            paths.append(None)
        elif name not in BY_PATH:
            problems.append(
                Problem(
                    "unknown_column",
                    f"không có trường “{name}” trong mẫu",
                    header_index + 1,
                    column_letter(index),
                    name,
                )
            )
            paths.append(None)
        else:
            paths.append(name)
    data = rows[header_index + 1 :]
    first_row = header_index + 2
    problems.extend(_oversized(data, first_row, limits))
    return Sheet(fmt, paths, first_row, data, problems, version)


def _trimmed(rows: list[list[Any]]) -> list[list[Any]]:
    """Trailing empty rows dropped (spreadsheets keep formatted but empty ones)."""
    end = len(rows)
    while end and all(cell in (None, "") for cell in rows[end - 1]):
        end -= 1
    return rows[:end]


def _oversized(rows: list[list[Any]], first_row: int, limits: Limits) -> Iterator[Problem]:
    for offset, row in enumerate(rows):
        for index, cell in enumerate(row):
            if isinstance(cell, str) and len(cell) > limits.max_cell_chars:
                yield Problem(
                    "cell_too_large",
                    f"ô dài {len(cell):,} ký tự, quá giới hạn {limits.max_cell_chars:,}",
                    first_row + offset,
                    column_letter(index),
                )
