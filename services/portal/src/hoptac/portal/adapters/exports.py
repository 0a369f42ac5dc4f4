"""Search results as files: CSV (UTF-8 with a byte-order mark, so spreadsheet programs read the
Vietnamese letters right) and XLSX (openpyxl's write-only mode, row by row)."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator, Sequence

from openpyxl import Workbook

Row = Sequence[object]


async def csv_chunks(header: Row, rows: AsyncIterator[Row]) -> AsyncIterator[bytes]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    yield ("\ufeff" + buffer.getvalue()).encode()
    async for row in rows:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow(row)
        yield buffer.getvalue().encode()


async def xlsx_bytes(sheet_title: str, header: Row, rows: AsyncIterator[Row]) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(sheet_title[:31])
    sheet.append(list(header))
    async for row in rows:
        sheet.append(list(row))
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()
