"""Bring a service's database up to date with Alembic, from code (no alembic.ini needed).

Each service keeps its own `migrations/` folder (env.py, versions/) and calls `upgrade` with it;
env.py takes the connection from `config.attributes["connection"]`.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection
from sqlalchemy.ext.asyncio import create_async_engine


def _upgrade(connection: Connection, script_location: Path) -> None:
    config = Config()
    config.set_main_option("script_location", str(script_location))
    config.attributes["connection"] = connection
    command.upgrade(config, "head")


async def upgrade(database_url: str, script_location: Path) -> None:
    engine = create_async_engine(database_url)
    try:
        async with engine.begin() as connection:
            await connection.run_sync(_upgrade, script_location)
    finally:
        await engine.dispose()


def upgrade_blocking(database_url: str, script_location: Path) -> None:
    """For callers outside an event loop, such as the launcher's migrate hook."""
    asyncio.run(upgrade(database_url, script_location))
