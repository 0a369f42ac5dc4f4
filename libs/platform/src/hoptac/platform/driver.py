"""asyncpg's own connection under a SQLAlchemy one, for what only asyncpg does: binary COPY."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection


async def asyncpg_connection(conn: AsyncConnection) -> Any:
    """The driver's connection of `conn`, in its transaction if one is open."""
    raw = (await conn.get_raw_connection()).driver_connection
    assert raw is not None  # an AsyncConnection in use is connected
    return raw
