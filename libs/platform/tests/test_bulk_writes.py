"""`insert_rows` and `copy_rows` store what SQLAlchemy's `insert(table)` stores, in one
statement."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import (
    ARRAY,
    BigInteger,
    Column,
    Date,
    DateTime,
    Integer,
    MetaData,
    Table,
    Text,
    func,
    insert,
    select,
)
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import create_async_engine

from hoptac.platform.bulk_writes import copy_rows, insert_rows, unnest_insert, update_rows
from hoptac.platform.json_columns import JSON_COLUMNS, JsonText, json_text

pytestmark = pytest.mark.integration

metadata = MetaData()
things = Table(
    "things",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=True),
    Column("key", UUID(as_uuid=True), nullable=False),
    Column("name", Text, nullable=False),
    Column("note", Text),
    Column("count", Integer, nullable=False),
    Column("day", Date, nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("body", JSONB, nullable=False),
    Column("made_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)
tagged = Table("tagged", metadata, Column("tags", ARRAY(Text)))


def _row(n: int) -> dict[str, Any]:
    return {
        "key": uuid.UUID(int=n),
        "name": f"Hợp tác xã Đồng Tâm {n}",
        "note": None if n % 2 else "ghi chú",
        "count": n,
        "day": date(2025, 7, 1 + n % 28),
        "at": datetime(2026, 12, 5, 8, n % 60, tzinfo=UTC),
        "body": {"field": "name", "before": None, "after": ["Hợp tác xã", n], "ok": True},
    }


@pytest.mark.parametrize("write", [insert_rows, copy_rows])
async def test_rows_are_stored_as_insert_stores_them(fresh_database: str, write: Any) -> None:
    engine = create_async_engine(fresh_database, **JSON_COLUMNS)
    try:
        async with engine.begin() as conn:
            await conn.run_sync(metadata.create_all)
            await write(conn, things, [_row(n) for n in range(1, 501)])
            await conn.execute(insert(things), [_row(n) for n in range(1, 501)])
            written = [{**row, "body": JsonText(json_text(row["body"]))} for row in map(_row, [1])]
            await write(conn, things, written)  # JSON already written is stored as it is
            await write(conn, things, [])
            columns = [c for c in things.c if c.name not in ("id", "made_at")]
            rows = (await conn.execute(select(*columns).order_by(things.c.id))).all()
            defaulted = await conn.scalar(select(func.count()).where(things.c.made_at.is_not(None)))
        assert len(rows) == 1001
        assert rows[:500] == rows[500:1000]
        assert rows[0]._asdict() == rows[1000]._asdict() == _row(1)
        assert defaulted == 1001
    finally:
        await engine.dispose()


async def test_a_refused_copy_raises_as_a_statement_and_its_savepoint_keeps_nothing(
    fresh_database: str,
) -> None:
    engine = create_async_engine(fresh_database, **JSON_COLUMNS)
    try:
        async with engine.begin() as conn:
            await conn.run_sync(metadata.create_all)
            await copy_rows(conn, things, [_row(1)])
            taken = {**_row(2), "id": 1}  # the first row's key
            with pytest.raises(DBAPIError, match="things"):
                async with conn.begin_nested():
                    await copy_rows(conn, things, [{**_row(3), "id": 5}, taken])
            await copy_rows(conn, things, [_row(4)])
            stored = (await conn.execute(select(things.c.count).order_by(things.c.id))).scalars()
            assert list(stored) == [1, 4]
    finally:
        await engine.dispose()


async def test_each_row_is_updated_as_update_updates_it(fresh_database: str) -> None:
    engine = create_async_engine(fresh_database, **JSON_COLUMNS)
    try:
        async with engine.begin() as conn:
            await conn.run_sync(metadata.create_all)
            await insert_rows(conn, things, [_row(n) for n in range(1, 11)])
            changed = [
                {"key": uuid.UUID(int=n), "note": None, "count": -n, "body": {"after": n}}
                for n in (2, 3, 7)
            ]
            await update_rows(conn, things, "key", changed)
            rows = (await conn.execute(select(things).order_by(things.c.id))).all()
        for row in rows:
            n = row.key.int
            expected = changed[(2, 3, 7).index(n)] if n in (2, 3, 7) else _row(n)
            assert (row.note, row.count, row.body) == (
                expected["note"],
                expected["count"],
                expected["body"],
            )
            assert row.name == _row(n)["name"]
    finally:
        await engine.dispose()


def test_an_array_column_is_refused_since_unnest_would_flatten_it() -> None:
    with pytest.raises(TypeError, match=r"tagged\.tags"):
        unnest_insert(tagged, ("tags",))
