"""An import's report as the uploaded file itself: a workbook with one more column, "Lỗi", that
says what is wrong in each row, and each faulty cell filled red. Fixed, it can be uploaded
again as it is (the new column has no field name, so it is ignored)."""

from __future__ import annotations

import csv
import io
import zipfile
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill
from openpyxl.utils.exceptions import IllegalCharacterError, InvalidFileException
from openpyxl.worksheet.worksheet import Worksheet

from hoptac.collection.adapters.spreadsheet import DATA_SHEET, INSTRUCTIONS_SHEET, LIST_SHEET_PREFIX

ERRORS_HEADER = "Lỗi"
FAULT = PatternFill("solid", fgColor="F4CCCC")


def annotated(content: bytes, problems: Sequence[dict[str, Any]]) -> bytes:
    book = _workbook(content)
    sheet = _data_sheet(book)
    column = sheet.max_column + 1
    header = sheet.cell(row=1, column=column, value=ERRORS_HEADER)
    header.font = Font(bold=True, color="990000")
    whole_file = [_cell_text(p["message"]) for p in problems if p.get("row") is None]
    if whole_file:
        header.comment = Comment("\n".join(whole_file)[:30_000], "hoptac")
    by_row: dict[int, list[str]] = defaultdict(list)
    for problem in problems:
        row = problem.get("row")
        if row is None:
            continue
        where = problem.get("column")
        message = _cell_text(problem["message"])
        by_row[row].append(f"{where}: {message}" if where else message)
        if where:
            sheet[f"{where}{row}"].fill = FAULT
    for row, messages in by_row.items():
        sheet.cell(row=row, column=column, value="; ".join(messages)[:32_000])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _workbook(content: bytes) -> Workbook:
    if content[:4] == b"PK\x03\x04":
        try:
            return load_workbook(io.BytesIO(content))
        except (
            InvalidFileException,
            IllegalCharacterError,
            zipfile.BadZipFile,
            KeyError,
            ValueError,
            OSError,
        ):
            return Workbook()  # the report alone: the file could not be read back
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = DATA_SHEET
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        return book
    for row in csv.reader(io.StringIO(text, newline="")):
        sheet.append([_cell_text(cell) for cell in row])
    return book


def _cell_text(text: str) -> str:
    """Text a workbook can hold: control characters (refused by the import anyway) left out."""
    return ILLEGAL_CHARACTERS_RE.sub("", text)


def _data_sheet(book: Workbook) -> Worksheet:
    """The sheet the import read: the visible one that is neither instructions nor a list."""
    for sheet in book.worksheets:
        ours = sheet.title == INSTRUCTIONS_SHEET or sheet.title.startswith(LIST_SHEET_PREFIX)
        if sheet.sheet_state == "visible" and not ours:
            return sheet
    first: Worksheet = book.worksheets[0]
    return first
