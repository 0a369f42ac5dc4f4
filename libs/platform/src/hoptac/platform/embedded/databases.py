"""Databases on any PostgreSQL server, embedded or external, given its SQLAlchemy URL."""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Coroutine
from typing import Any, TypeVar
from urllib.parse import urlsplit, urlunsplit

import asyncpg

from hoptac.platform.dsn import asyncpg_dsn

_T = TypeVar("_T")


def database_url(server_url: str, database: str) -> str:
    """`server_url` with its path replaced by `/database` (query and credentials kept)."""
    parts = urlsplit(server_url)
    return urlunsplit(parts._replace(path=f"/{database}"))


def _asyncpg_dsn(server_url: str, database: str) -> str:
    return asyncpg_dsn(database_url(server_url, database))


async def accepts_writes(server_url: str) -> bool:
    """The server is up and not in recovery (a restore, or a standby): it takes writes."""
    try:
        conn = await asyncpg.connect(_asyncpg_dsn(server_url, "postgres"))
    except (OSError, asyncpg.PostgresError):
        return False
    try:
        return not await conn.fetchval("SELECT pg_is_in_recovery()")
    finally:
        await conn.close()


def _quote_identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


async def ensure_database(server_url: str, name: str) -> None:
    """Create database `name` on the server unless it already exists."""
    conn = await asyncpg.connect(_asyncpg_dsn(server_url, "postgres"))
    try:
        if await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name):
            return
        # Created meanwhile by someone else is just as good.
        with contextlib.suppress(asyncpg.DuplicateDatabaseError):
            await conn.execute(f"CREATE DATABASE {_quote_identifier(name)}")
    finally:
        await conn.close()


async def drop_database(server_url: str, name: str) -> None:
    conn = await asyncpg.connect(_asyncpg_dsn(server_url, "postgres"))
    try:
        await conn.execute(f"DROP DATABASE IF EXISTS {_quote_identifier(name)} WITH (FORCE)")
    finally:
        await conn.close()


def run_coroutine(coroutine: Coroutine[Any, Any, _T]) -> _T:
    """Run a coroutine to completion from sync code, even when this thread already runs an
    event loop (then on a short-lived thread of its own)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        # A loop_factory keeps asyncio.Runner from touching this thread's current event loop,
        # which pytest-asyncio or an application may have set.
        with asyncio.Runner(loop_factory=asyncio.new_event_loop) as runner:
            return runner.run(coroutine)
    result: list[_T] = []
    errors: list[BaseException] = []

    def target() -> None:
        try:
            result.append(asyncio.run(coroutine))
        except BaseException as error:
            errors.append(error)

    thread = threading.Thread(target=target)
    thread.start()
    thread.join()
    if errors:
        raise errors[0]
    return result[0]
