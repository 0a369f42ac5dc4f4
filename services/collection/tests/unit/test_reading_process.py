"""Rows read and names matched in the reading process read and match as they do here, also when
that process has died."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Executor, Future
from concurrent.futures.process import BrokenProcessPool
from typing import Any
from uuid import UUID

import pytest

from hoptac.collection.adapters.code_lists import code_lists
from hoptac.collection.adapters.reading_process import ReadingProcess, start
from hoptac.collection.domain.imports import alike
from hoptac.collection.domain.matching import Known
from hoptac.collection.domain.rows import RowChange, RowReader

pytestmark = pytest.mark.unit

PATHS = ["id", "name", "members_count", "address.province_code", None]
ROWS = [
    (2, ["", "HTX Tân Hưng", "1.250", "96", "ignored"]),
    (3, ["", "HTX Phú Lợi", "nhiều", "96 - Cà Mau"]),
    (4, ["not an id", "", "", "", ""]),
    (5, ["0f3c2a34-8f7e-4bde-9e8f-0d8c5e1b2a10", "HTX Tân Hưng", "", "", ""]),
]
# A count beyond 64 bits, which JSON from orjson cannot hold: that part comes back pickled.
HUGE = [
    *ROWS,
    (6, ["0f3c2a34-8f7e-4bde-9e8f-0d8c5e1b2a10", "", "1234567890123456789012345", "", ""]),
]


class _Died(Executor):
    """A pool whose worker has died: what a pool answers once its process was killed."""

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        raise BrokenProcessPool("the worker stopped")


def _read_here(rows: list[tuple[int, list[str]]]) -> list[Any]:
    reader = RowReader(PATHS, code_lists({}))
    return [reader.read(number, cells) for number, cells in rows]


async def _read(reading: ReadingProcess, rows: list[tuple[int, list[str]]]) -> list[Any]:
    parts = reading.read_later(rows, PATHS, {})
    assert parts is not None
    return [row for part in parts for row in await part]


@pytest.mark.parametrize("rows", [ROWS, HUGE])
async def test_rows_read_in_the_reading_process_read_as_here(
    rows: list[tuple[int, list[str]]],
) -> None:
    reading = ReadingProcess(start())
    try:
        assert await _read(reading, rows) == _read_here(rows)
    finally:
        reading.stop()


async def test_once_the_reading_process_has_died_rows_are_read_here() -> None:
    reading = ReadingProcess(_Died())
    try:
        assert await _read(reading, ROWS) == _read_here(ROWS)
        assert reading.pool is None
    finally:
        reading.stop()


def test_without_a_reading_process_nothing_is_read_there() -> None:
    assert ReadingProcess().read_later(ROWS, PATHS, {}) is None


def _new(row: int, name: str, commune: str | None = "31825") -> RowChange:
    return RowChange(row, None, {"name": name, "address": {"commune_code": commune}})


CHANGES = [
    _new(2, "Hợp tác xã Nông nghiệp Tân Hưng"),
    _new(3, "HTX Nong nghiep Tan Hung"),  # like row 2 and the register's
    _new(4, "Hợp tác xã Tân Hưng Đông"),
    _new(5, "Tổ hợp tác số 2", None),
    RowChange(6, UUID("0f3c2a34-8f7e-4bde-9e8f-0d8c5e1b2a10"), {"name": "HTX Tân Hưng"}),
    RowChange(7, None, {"members_count": 3}),
]
KNOWN = [
    Known("a", "HTX Nông nghiệp Tân Hưng", "31825", "6001000001"),
    Known("b", "HTX Phú Lợi", "31825", "6001000009"),
]


async def test_names_matched_in_the_reading_process_match_as_here() -> None:
    expected = alike(CHANGES, KNOWN)
    assert expected.candidates
    assert expected.earlier
    for reading in (ReadingProcess(start()), ReadingProcess(_Died()), ReadingProcess()):
        try:
            assert await reading.alike(CHANGES, KNOWN) == expected
        finally:
            reading.stop()
