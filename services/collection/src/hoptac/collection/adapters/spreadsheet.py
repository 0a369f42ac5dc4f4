"""Reading an uploaded XLSX or CSV file, refusing what cannot be read safely or faithfully.

Checked before a cell is read: size; for a workbook, the total it expands to (a small zip can
hold gigabytes), macros, formulas (their values are whatever the last program computed), merged
cells (one value meant for several rows), hidden or empty sheets. Values are read with calamine
(fast, values only); the checks read the workbook's parts directly.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import re
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from python_calamine import CalamineError, CalamineWorkbook, SheetVisibleEnum

from hoptac.collection.domain.fields import BY_PATH, TEMPLATE_VERSION
from hoptac.collection.domain.problems import Problem, column_letter
from hoptac.platform.text import Quantity, Text

DATA_SHEET = "Dữ liệu"
INSTRUCTIONS_SHEET = "Hướng dẫn"
LIST_SHEET_PREFIX = "DM_"  # the template's hidden code lists
_FORMULA = re.compile(rb"<(?:\w+:)?f[\s>/]")
_VERSION = re.compile(r"hoptac-khao-sat-\d+")
NOT_UTF8 = Text("collection.csv_not_utf8")


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
        super().__init__(str(problem.message))
        self.problem = problem


@dataclass(frozen=True)
class Sheet:
    format: str  # "xlsx" or "csv"
    paths: list[str | None]  # each column's field (None: a column ignored)
    first_row: int  # the spreadsheet's number of the first data row (the header is row 1)
    rows: list[list[Any]]
    problems: list[Problem]  # about columns and cells, found while reading
    template_version: str | None
    eight_bit: bool = False  # a CSV not in UTF-8, read byte for byte (legacy fonts' bytes)


def _refuse(code: str, message: Text) -> FileRefused:
    return FileRefused(Problem(code, message))


def read_upload(data: bytes, filename: str, limits: Limits) -> Sheet:
    if len(data) > limits.max_bytes:
        raise _refuse(
            "file_too_large", Text("collection.file_too_large", limit=Quantity(limits.max_bytes))
        )
    if not data.strip():
        raise _refuse("empty_file", Text("collection.file_empty"))
    lower = filename.lower()
    if lower.endswith((".xlsm", ".xltm", ".xlsb", ".xls")):
        raise _refuse("unsupported_format", Text("collection.format_unsupported"))
    if data[:4] == b"PK\x03\x04":
        return _read_workbook(data, limits)
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise _refuse("unsupported_format", Text("collection.format_xls"))
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
            Text(
                "collection.unzips_too_large",
                size=Quantity(expanded),
                limit=Quantity(limits.max_unzipped_bytes),
            ),
        )
    content_types = archive.read("[Content_Types].xml") if "[Content_Types].xml" in names else b""
    if b"macroEnabled" in content_types:
        raise _refuse_macro()
    worksheets = (n for n in names if n.startswith("xl/worksheets/") and n.endswith(".xml"))
    for name in worksheets:
        if _FORMULA.search(archive.read(name)):
            raise _refuse(
                "formula",
                Text("collection.formula"),
            )


def _refuse_macro() -> FileRefused:
    return _refuse("macro", Text("collection.macro"))


def _read_workbook(data: bytes, limits: Limits) -> Sheet:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            _check_parts(archive, limits)
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    except (zipfile.BadZipFile, CalamineError, KeyError, ValueError) as error:
        raise _refuse(
            "unreadable", Text("collection.workbook_unreadable", error=str(error)[:200])
        ) from error
    data_sheets = []
    for meta in book.sheets_metadata:
        if meta.visible != SheetVisibleEnum.Visible:
            if meta.name.startswith(LIST_SHEET_PREFIX):
                continue
            raise _refuse(
                "hidden_sheet",
                Text("collection.sheet_hidden", name=meta.name[:100]),
            )
        if meta.name != INSTRUCTIONS_SHEET:
            data_sheets.append(meta.name)
    if len(data_sheets) != 1:
        raise _refuse(
            "sheets",
            Text(
                "collection.sheets_count",
                count=len(data_sheets),
                names=", ".join(data_sheets)[:300] or "—",
            ),
        )
    sheet = book.get_sheet_by_name(data_sheets[0])
    if sheet.merged_cell_ranges:
        (start, end), *_ = sheet.merged_cell_ranges
        where = f"{column_letter(start[1])}{start[0] + 1}:{column_letter(end[1])}{end[0] + 1}"
        raise _refuse("merged_cells", Text("collection.merged_cells", where=where))
    if sheet.total_height > limits.max_rows + 2:
        raise _refuse(
            "too_many_rows", Text("collection.too_many_rows", limit=Quantity(limits.max_rows))
        )
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
    """A CSV in UTF-8, or else byte for byte: a sheet typed in TCVN3 or VNI fonts saves its
    text as the fonts' bytes, which the import then converts (or refuses, naming UTF-8)."""
    try:
        text, eight_bit = data.decode("utf-8-sig"), False
    except UnicodeDecodeError:
        if b"\x00" in data:  # UTF-16, which no legacy font wrote
            raise _refuse("encoding", NOT_UTF8) from None
        text, eight_bit = data.decode("latin-1"), True
    if "\x00" in text:
        raise _refuse("unreadable", Text("collection.csv_nul"))
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    rows: list[list[Any]] = []
    try:
        for row in csv.reader(io.StringIO(text, newline=""), dialect):
            rows.append(list(row))
            if len(rows) > limits.max_rows + 1:
                raise _refuse(
                    "too_many_rows",
                    Text("collection.too_many_rows", limit=Quantity(limits.max_rows)),
                )
    except csv.Error as error:  # the csv module's own bound on a field is 131,072 characters
        raise _refuse(
            "unreadable", Text("collection.csv_unreadable", error=str(error)[:200])
        ) from error
    return dataclasses.replace(_shaped("csv", rows, None, limits), eight_bit=eight_bit)


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
        raise _refuse("empty_sheet", Text("collection.sheet_empty"))
    if version is not None and version != TEMPLATE_VERSION:
        raise _refuse(
            "template_version",
            Text("collection.template_version", version=version, current=TEMPLATE_VERSION),
        )
    if _is_paths(rows[0]):
        header_index = 0
    elif len(rows) > 1 and _is_paths(rows[1]):
        header_index = 1
    else:
        raise _refuse(
            "no_field_row",
            Text("collection.no_field_row"),
        )
    header = rows[header_index]
    if len(header) > limits.max_columns:
        raise _refuse(
            "too_many_columns", Text("collection.too_many_columns", limit=limits.max_columns)
        )
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
                    Text("collection.column_twice", name=name[:100]),
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
                    Text("collection.column_unknown", name=name[:100]),
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
                    Text(
                        "collection.cell_too_large",
                        length=Quantity(len(cell)),
                        limit=Quantity(limits.max_cell_chars),
                    ),
                    first_row + offset,
                    column_letter(index),
                )
