"""Many rows of one table written in one statement, an array per column: `INSERT … SELECT * FROM
unnest(…)` and `UPDATE … FROM unnest(…)`; or, for a plain insert, by binary COPY.

SQLAlchemy sends a write of many rows without RETURNING through asyncpg's executemany: one
execution per row on the server, each with its own executor start. For a batch of 1,000 rows
that is 1,000 calls where one does. A statement here depends only on the table and the columns
given, so it is built once and asyncpg prepares it once.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import cache
from typing import Any

import asyncpg
from sqlalchemy import ARRAY, JSON, Table, TextClause, text
from sqlalchemy.dialects import postgresql
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection

from hoptac.platform.driver import asyncpg_connection
from hoptac.platform.json_columns import json_text

_DIALECT = postgresql.dialect()  # type: ignore[no-untyped-call]


def _arrays(table: Table, columns: tuple[str, ...]) -> str:
    """`CAST(:column AS type[]), …`: the parameters unnest reads, one array per column."""
    arrays = []
    for name in columns:
        column_type = table.c[name].type
        if isinstance(column_type, ARRAY):
            raise TypeError(f"{table.name}.{name}: unnest would flatten an array column")
        arrays.append(f"CAST(:{name} AS {column_type.compile(dialect=_DIALECT)}[])")
    return ", ".join(arrays)


@cache
def unnest_insert(table: Table, columns: tuple[str, ...]) -> TextClause:
    """`INSERT INTO table (columns) SELECT * FROM unnest(…)`."""
    return text(
        f"INSERT INTO {table.name} ({', '.join(columns)}) "
        f"SELECT * FROM unnest({_arrays(table, columns)})"
    )


@cache
def unnest_update(table: Table, key: str, columns: tuple[str, ...]) -> TextClause:
    """`UPDATE table SET column = given.column, … FROM unnest(…) WHERE table.key = given.key`."""
    given = (key, *columns)
    assignments = ", ".join(f"{name} = given.{name}" for name in columns)
    return text(
        f"UPDATE {table.name} SET {assignments} "
        f"FROM unnest({_arrays(table, given)}) AS given ({', '.join(given)}) "
        f"WHERE {table.name}.{key} = given.{key}"
    )


def unnest_values(
    table: Table, columns: tuple[str, ...], rows: Sequence[Mapping[str, Any]]
) -> dict[str, list[Any]]:
    """The parameters of `unnest_insert` and `unnest_update`: each column's values, in order."""
    values: dict[str, list[Any]] = {}
    for name in columns:
        column = [row[name] for row in rows]
        if isinstance(table.c[name].type, JSON):
            column = [None if value is None else json_text(value) for value in column]
        values[name] = column
    return values


async def insert_rows(
    conn: AsyncConnection, table: Table, rows: Sequence[Mapping[str, Any]]
) -> None:
    """Insert `rows` (each with the same columns) into `table` in one statement. A JSON
    column's None is SQL NULL; columns left out take their server defaults."""
    if rows:
        columns = tuple(rows[0])
        await conn.execute(unnest_insert(table, columns), unnest_values(table, columns, rows))


async def copy_rows(conn: AsyncConnection, table: Table, rows: Sequence[Mapping[str, Any]]) -> None:
    """What `insert_rows` does, by binary COPY in the caller's transaction (the same
    connection): no array parameter, whose every element asyncpg checks in Python (two
    `isinstance` against abstract classes an element, a sixteenth of the registry's CPU in a
    batch write), and no unnest for PostgreSQL. A row the table refuses fails the whole COPY
    with the database's error, raised as a statement's would be (`DBAPIError`)."""
    if not rows:
        return
    columns = tuple(rows[0])
    records = list(zip(*unnest_values(table, columns, rows).values(), strict=True))
    driver = await asyncpg_connection(conn)
    try:
        await driver.copy_records_to_table(table.name, records=records, columns=columns)
    except asyncpg.PostgresError as error:
        raise DBAPIError(f"COPY {table.name}", None, error) from error


async def update_rows(
    conn: AsyncConnection, table: Table, key: str, rows: Sequence[Mapping[str, Any]]
) -> None:
    """Set, in one statement, each row's columns (each row with the same ones) on the row of
    `table` whose `key` column holds the row's `key`; one row per key."""
    if rows:
        columns = tuple(name for name in rows[0] if name != key)
        statement = unnest_update(table, key, columns)
        await conn.execute(statement, unnest_values(table, (key, *columns), rows))
