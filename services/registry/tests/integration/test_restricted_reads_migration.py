"""Migration 0010 adds the table of restricted records read per caller and window; its downgrade
drops it and leaves the rest as it was."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy import inspect
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from hoptac.platform.migrations import migrate_to
from hoptac.registry.adapters.migrations import MIGRATIONS

pytestmark = pytest.mark.integration


@pytest.fixture
async def engine(fresh_database: str) -> AsyncIterator[AsyncEngine]:
    engine = create_async_engine(fresh_database)
    yield engine
    await engine.dispose()


async def tables(engine: AsyncEngine) -> set[str]:
    async with engine.connect() as conn:
        return set(await conn.run_sync(lambda sync: inspect(sync).get_table_names()))


async def test_the_upgrade_adds_the_table_and_the_downgrade_drops_it(engine: AsyncEngine) -> None:
    await migrate_to(engine, MIGRATIONS, "0009")
    before = await tables(engine)
    await migrate_to(engine, MIGRATIONS, "0010")
    assert await tables(engine) == before | {"restricted_reads"}
    async with engine.connect() as conn:
        key = await conn.run_sync(lambda sync: inspect(sync).get_pk_constraint("restricted_reads"))
    assert key["constrained_columns"] == ["window_number", "caller"]
    await migrate_to(engine, MIGRATIONS, "0009", down=True)
    assert await tables(engine) == before
