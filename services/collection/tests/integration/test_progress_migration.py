"""Migration 0008 moves the review's last step of each proposal beside it and back, losing
nothing: every proposal reads the same state, submitter and reviewer before, after and after a
downgrade."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid4

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from hoptac.collection.adapters import store
from hoptac.collection.adapters.migrations import MIGRATIONS
from hoptac.platform.migrations import migrate_to

pytestmark = pytest.mark.integration

AT = datetime(2026, 12, 5, 9, 0, tzinfo=UTC)

# state, submitted by, reviewed by, as migration 0007 left them.
OLD_ROWS = [
    ("draft", None, None),
    ("submitted", "cán bộ", None),
    ("returned", "cán bộ", "người duyệt"),
    ("applying", "cán bộ", "người duyệt"),
    ("applied", "cán bộ", "người duyệt"),
    ("submitted", "cán bộ", "người duyệt"),  # flagged stale by an earlier approval
]

INSERT_OLD = """
    INSERT INTO proposals (id, row_key, change, state, author, created_at, submitted_by,
        submitted_at, reviewed_by, reviewed_at, comments)
    VALUES (:id, :key, '{}', :state, 'tác giả', :at, :submitted_by,
        CASE WHEN CAST(:submitted_by AS text) IS NULL THEN NULL ELSE CAST(:at AS timestamptz) END,
        :reviewed_by,
        CASE WHEN CAST(:reviewed_by AS text) IS NULL THEN NULL ELSE CAST(:at AS timestamptz) END,
        '[]')
"""

STORED = """
    SELECT id, state, submitted_by, submitted_at, reviewed_by, reviewed_at FROM proposals
"""


@pytest.fixture
async def engine(fresh_database: str) -> AsyncIterator[AsyncEngine]:
    engine = create_async_engine(fresh_database)
    yield engine
    await engine.dispose()


async def stored(engine: AsyncEngine) -> dict[UUID, tuple[Any, ...]]:
    async with engine.connect() as conn:
        return {row.id: tuple(row)[1:] for row in await conn.execute(text(STORED))}


async def read(engine: AsyncEngine, ids: list[UUID]) -> dict[UUID, tuple[Any, ...]]:
    """Each proposal as collection's readers see it."""
    async with engine.connect() as conn:
        rows = await store.proposals_by_id(conn, ids)
    return {
        row.id: (row.state, row.submitted_by, row.submitted_at, row.reviewed_by, row.reviewed_at)
        for row in rows
    }


async def test_every_proposal_reads_the_same_after_the_migration_and_after_its_downgrade(
    engine: AsyncEngine,
) -> None:
    await migrate_to(engine, MIGRATIONS, "0007")
    ids = [uuid4() for _ in OLD_ROWS]
    async with engine.begin() as conn:
        for n, (id_, (state, submitted_by, reviewed_by)) in enumerate(
            zip(ids, OLD_ROWS, strict=True)
        ):
            values = {"id": id_, "key": f"k{n}", "state": state, "at": AT}
            await conn.execute(
                text(INSERT_OLD),
                {**values, "submitted_by": submitted_by, "reviewed_by": reviewed_by},
            )
    before = await stored(engine)

    await migrate_to(engine, MIGRATIONS, "0008")
    upgraded = await read(engine, ids)
    # Then a draft is submitted and a submitted proposal's approval marked: steps only.
    later = datetime(2026, 12, 6, 10, 0, tzinfo=UTC)
    async with engine.begin() as conn:
        await store.step(conn, [ids[0]], "submitted", "cán bộ khác", later)
        await store.step(conn, [ids[1]], "applying", "người duyệt khác", later)
    moved = await read(engine, ids)
    await migrate_to(engine, MIGRATIONS, "0007", down=True)
    downgraded = await stored(engine)

    assert upgraded == before
    assert moved[ids[0]] == ("submitted", "cán bộ khác", later, None, None)
    assert moved[ids[1]] == ("applying", "cán bộ", AT, "người duyệt khác", later)
    assert downgraded == {**before, **moved}
