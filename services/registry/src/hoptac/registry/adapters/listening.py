"""PostgreSQL LISTEN on a connection of its own, kept open for as long as the service runs."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable

import asyncpg

log = logging.getLogger("hoptac.registry.listening")


async def listen(
    dsn: str,
    channel: str,
    on_notice: Callable[[], None],
    stop: asyncio.Event,
    retry_seconds: float = 1.0,
) -> None:
    """Call `on_notice` on every NOTIFY on `channel`, and once after each (re)connection, since
    a notice sent while the connection was down is lost."""
    while not stop.is_set():
        try:
            conn = await asyncpg.connect(dsn)
            try:
                await conn.add_listener(channel, lambda *_: on_notice())
                on_notice()
                while not stop.is_set() and not conn.is_closed():
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(stop.wait(), retry_seconds)
            finally:
                await conn.close(timeout=2)
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as error:
            log.warning("listening on %s failed, retrying: %s", channel, type(error).__name__)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), retry_seconds)
