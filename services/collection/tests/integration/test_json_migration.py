"""Migration 0009 stores a proposal's change, comments and outcome and the audit's details as
`json`: every value reads the same before, after and after a downgrade, Vietnamese text
included."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any
from uuid import uuid4

import orjson
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from hoptac.collection.adapters.migrations import MIGRATIONS
from hoptac.platform.migrations import migrate_to

pytestmark = pytest.mark.integration

CHANGE = {
    "record": {"name": "Hợp tác xã Nông nghiệp Tân Hưng", "members_count": 12},
    "status": None,
}
COMMENTS = [{"field": "name", "text": "Tên viết tắt chưa đúng"}]
OUTCOME = {"results": [{"id": "x", "version": 2, "warnings": []}], "stale": False}
DETAILS = {"state": "applied", "results": [{"version": 2}]}

VALUES = """
    SELECT p.change::text AS change, p.comments::text AS comments, p.outcome::text AS outcome,
        a.details::text AS details, pg_typeof(p.change)::text AS type
    FROM proposals p, audit_log a
"""


@pytest.fixture
async def engine(fresh_database: str) -> AsyncIterator[AsyncEngine]:
    engine = create_async_engine(fresh_database)
    yield engine
    await engine.dispose()


async def values(engine: AsyncEngine) -> tuple[dict[str, Any], str]:
    async with engine.connect() as conn:
        row = (await conn.execute(text(VALUES))).one()
    read = {name: orjson.loads(getattr(row, name)) for name in ("change", "comments", "outcome")}
    return {**read, "details": orjson.loads(row.details)}, row.type


async def test_every_value_reads_the_same_as_json_and_back_as_jsonb(engine: AsyncEngine) -> None:
    await migrate_to(engine, MIGRATIONS, "0008")
    async with engine.begin() as conn:
        await conn.execute(
            text(
                "INSERT INTO proposals (id, row_key, change, state, author, created_at, comments,"
                " outcome) VALUES (:id, 'k', CAST(:change AS jsonb), 'applied', 'tác giả', now(),"
                " CAST(:comments AS jsonb), CAST(:outcome AS jsonb))"
            ),
            {
                "id": uuid4(),
                "change": orjson.dumps(CHANGE).decode(),
                "comments": orjson.dumps(COMMENTS).decode(),
                "outcome": orjson.dumps(OUTCOME).decode(),
            },
        )
        await conn.execute(
            text(
                "INSERT INTO audit_log (at, actor, action, subject, details)"
                " VALUES (now(), 'người duyệt', 'approve', 'proposal:x', CAST(:details AS jsonb))"
            ),
            {"details": orjson.dumps(DETAILS).decode()},
        )
    expected = {"change": CHANGE, "comments": COMMENTS, "outcome": OUTCOME, "details": DETAILS}

    await migrate_to(engine, MIGRATIONS, "0009")
    upgraded = await values(engine)
    async with engine.begin() as conn:  # the default still holds
        await conn.execute(
            text(
                "INSERT INTO proposals (id, row_key, change, state, author, created_at)"
                " VALUES (:id, 'k2', '{}', 'draft', 'tác giả', now())"
            ),
            {"id": uuid4()},
        )
        default = await conn.scalar(
            text("SELECT comments::text FROM proposals WHERE row_key = 'k2'")
        )
        await conn.execute(text("DELETE FROM proposals WHERE row_key = 'k2'"))
    await migrate_to(engine, MIGRATIONS, "0008", down=True)
    downgraded = await values(engine)

    assert upgraded == (expected, "json")
    assert default == "[]"
    assert downgraded == (expected, "jsonb")
