"""Real files for the tests: the template filled in with openpyxl, CSV written by hand, and
broken workbooks of every kind the import refuses."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Sequence
from typing import Any

from openpyxl import load_workbook

from hoptac.collection.adapters.spreadsheet import DATA_SHEET
from hoptac.collection.domain.encodings import tables
from hoptac.collection.domain.fields import FIELDS

# A cooperative in Phường Bạc Liêu (31825), Cà Mau (96), as an officer would type it.
NEW_ROW: dict[str, Any] = {
    "registration_number": "6001000001",
    "name": "Hợp tác xã Nông nghiệp Tân Hưng",
    "kind": "Hợp tác xã",
    "registered_on": "12/03/2015",
    "address.street": "Ấp 3",
    "address.province_code": "96 - Cà Mau",
    "address.commune_code": "31825 - Phường Bạc Liêu, Cà Mau",
    "sector.group": "Nông, lâm, ngư nghiệp, diêm nghiệp",
    "sector.vsic": "01; 03",
    "members_count": "1.250",
    "workers_count": 12,
    "digital.internet": "Có",
    "operating_in_practice": "Có hoạt động thực tế",
}


def row(**changes: Any) -> dict[str, Any]:
    return {**NEW_ROW, **changes}


def filled(template: bytes, rows: Sequence[dict[str, Any]]) -> bytes:
    """The template with `rows` from row 3, each cell under the column of its JSON path."""
    book = load_workbook(io.BytesIO(template))
    sheet = book[DATA_SHEET]
    column = {field.path: index + 1 for index, field in enumerate(FIELDS)}
    for offset, values in enumerate(rows):
        for path, value in values.items():
            sheet.cell(row=3 + offset, column=column[path], value=value)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def as_csv(
    rows: Sequence[dict[str, Any]],
    paths: Sequence[str] | None = None,
    encoding: str = "utf-8",
) -> bytes:
    paths = list(paths or NEW_ROW)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(paths)
    for values in rows:
        writer.writerow([values.get(path, "") for path in paths])
    return buffer.getvalue().encode(encoding)


def typed_in(encoding: str, values: dict[str, Any]) -> dict[str, Any]:
    """The row as typed with a legacy font: each letter its code in `encoding` (TCVN3 writes
    a capital with a tone mark as the small letter's code)."""
    codes = {letter: code for code, letter in tables()[encoding].items()}

    def typed(text: str) -> str:
        return "".join(codes.get(ch) or codes.get(ch.lower(), ch) for ch in text)

    return {path: typed(v) if isinstance(v, str) else v for path, v in values.items()}


def with_part(workbook: bytes, name: str, content: bytes) -> bytes:
    """The workbook with one more part in its zip (a macro project, a padding part)."""
    buffer = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(workbook)) as source,
        zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for item in source.infolist():
            target.writestr(item, source.read(item.filename))
        target.writestr(name, content)
    return buffer.getvalue()


def edited(template: bytes, rows: Sequence[dict[str, Any]], edit: Any) -> bytes:
    """The filled template after `edit(book)`: a formula, merged cells, a hidden sheet…"""
    book = load_workbook(io.BytesIO(filled(template, rows)))
    edit(book)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
