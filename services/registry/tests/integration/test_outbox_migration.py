"""Migration 0008 moves the relay's bookkeeping out of the outbox rows and back, losing nothing:
sequences, what was published (and when), held, dead-lettered and retried events."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from hoptac.registry.adapters import outbox
from hoptac.registry.adapters.migrations import MIGRATIONS

pytestmark = pytest.mark.integration

# sequence, published (batch number), held, dead-lettered; the last row is not numbered yet.
OLD_ROWS = [
    (1, 1, False, False),
    (2, 1, False, False),
    (3, None, True, False),  # held, waiting for an operator
    (4, 2, False, False),
    (5, None, False, False),  # held, then given back by `retry`: waiting to be published
    (6, 3, False, False),
    (7, None, True, True),  # dead-lettered, past the last published row
    (8, None, False, False),  # numbered, not published yet
    (None, None, False, False),  # committed, not numbered yet
]

INSERT_OLD = """
    INSERT INTO outbox (event_id, event_type, subject, organization_id, organization_version,
        province_code, occurred_at, recorded_at, actor, data, sequence, published_at, held_at,
        held_reason, dead_lettered_at)
    VALUES (gen_random_uuid(), 'organization.updated', 'coop.v1.org.updated.96',
        gen_random_uuid(), 2, '96', now(), now(), 'test', '{}', :sequence,
        CASE WHEN CAST(:batch AS int) IS NULL THEN NULL
            ELSE TIMESTAMPTZ '2026-01-01' + CAST(:batch AS int) * INTERVAL '1 minute' END,
        CASE WHEN :held THEN TIMESTAMPTZ '2026-01-02' END,
        CASE WHEN :held THEN 'too large' END,
        CASE WHEN :dead THEN TIMESTAMPTZ '2026-01-03' END)
"""

OLD_STATE = """
    SELECT id, sequence, published_at, held_at, held_reason, dead_lettered_at
    FROM outbox ORDER BY id
"""


def _migrate(connection: Connection, revision: str, down: bool) -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    (command.downgrade if down else command.upgrade)(config, revision)


async def migrate(engine: AsyncEngine, revision: str, *, down: bool = False) -> None:
    async with engine.begin() as conn:
        await conn.run_sync(_migrate, revision, down)


@pytest.fixture
async def engine(fresh_database: str) -> AsyncIterator[AsyncEngine]:
    engine = create_async_engine(fresh_database)
    yield engine
    await engine.dispose()


async def old_state(engine: AsyncEngine) -> list[Any]:
    async with engine.connect() as conn:
        return [tuple(row) for row in await conn.execute(text(OLD_STATE))]


async def test_the_relay_goes_on_where_it_was_and_a_downgrade_gives_back_the_old_rows(
    engine: AsyncEngine,
) -> None:
    await migrate(engine, "0007")
    async with engine.begin() as conn:
        for sequence, batch, held, dead in OLD_ROWS:
            values = {"sequence": sequence, "batch": batch, "held": held, "dead": dead}
            await conn.execute(text(INSERT_OLD), values)
    before = await old_state(engine)

    await migrate(engine, "0008")
    async with engine.connect() as conn:
        in_change_log = [event["sequence"] for event in await outbox.page(conn, 0, 100)]
        set_aside = [(row.sequence, row.dead_lettered_at is not None) for row in
                     await outbox.held_rows(conn, dead_lettered=True)]  # fmt: skip
        waiting = [(row.sequence, row.retried) for row in await outbox.unpublished(conn, 100)]
        count, _ = await outbox.backlog(conn)
        held = await outbox.held_count(conn)
    assert in_change_log == [1, 2, 3, 4, 5, 6, 7, 8]
    assert set_aside == [(3, False), (7, True)]
    assert waiting == [(5, True), (8, False)]
    assert (count, held) == (3, 1)  # 5, 8 and the unnumbered row; 3 waits for an operator

    await migrate(engine, "0007", down=True)
    assert await old_state(engine) == before
