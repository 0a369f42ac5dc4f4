"""Bring a library database up to date (the migrations live in `hoptac.library.migrations`)."""

from __future__ import annotations

from pathlib import Path

from hoptac.platform.migrations import upgrade, upgrade_blocking

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


async def migrate_async(database_url: str) -> None:
    await upgrade(database_url, MIGRATIONS)


def migrate(database_url: str) -> None:
    upgrade_blocking(database_url, MIGRATIONS)
