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
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine


def _migrate(connection: Connection, script_location: Path, revision: str, down: bool) -> None:
    config = Config()
    config.set_main_option("script_location", str(script_location))
    config.attributes["connection"] = connection
    (command.downgrade if down else command.upgrade)(config, revision)


async def migrate_to(
    engine: AsyncEngine, script_location: Path, revision: str, *, down: bool = False
) -> None:
    """Up (or `down`) to `revision`, in one transaction: how a migration's test steps through
    the revisions around it."""
    async with engine.begin() as connection:
        await connection.run_sync(_migrate, script_location, revision, down)


async def upgrade(database_url: str, script_location: Path) -> None:
    engine = create_async_engine(database_url)
    try:
        await migrate_to(engine, script_location, "head")
    finally:
        await engine.dispose()


def upgrade_blocking(database_url: str, script_location: Path) -> None:
    """For callers outside an event loop, such as the launcher's migrate hook."""
    asyncio.run(upgrade(database_url, script_location))
