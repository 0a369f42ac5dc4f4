"""Migration 0008 moves the relay's bookkeeping out of the outbox rows and back, losing nothing:
sequences, what was published (and when), held, dead-lettered and retried events. Migration 0009
stores the event, changes and audit values as `json` and back, and every reader sees the same."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any
from uuid import UUID

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from hoptac.platform.json_columns import JSON_COLUMNS
from hoptac.platform.migrations import migrate_to
from hoptac.registry.adapters import outbox
from hoptac.registry.adapters.migrations import MIGRATIONS
from hoptac.registry.adapters.repository import load_with_history

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
    await migrate_to(engine, MIGRATIONS, "0007")
    async with engine.begin() as conn:
        for sequence, batch, held, dead in OLD_ROWS:
            values = {"sequence": sequence, "batch": batch, "held": held, "dead": dead}
            await conn.execute(text(INSERT_OLD), values)
    before = await old_state(engine)

    await migrate_to(engine, MIGRATIONS, "0008")
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

    await migrate_to(engine, MIGRATIONS, "0007", down=True)
    assert await old_state(engine) == before


ORG_ID = UUID("00000000-0000-4000-8000-000000000001")
JSON_VALUE = '{"z": [1, {"b": "Hợp tác xã", "a": null}], "a": {"d": 2.50, "c": true}}'

INSERT_JSON_ROWS = (
    """
    INSERT INTO organizations (id, registration_number, registration_key, name, name_key, kind,
        status, province_code, sector_group, registered_on, record, version)
    VALUES ('00000000-0000-4000-8000-000000000001', 'A1', 'A1', 'X', 'x', 'cooperative',
        'operating', '96', 'agriculture', '2020-01-01', '{}', 1)
    """,
    f"""
    INSERT INTO organization_versions (organization_id, version, event, effective_date,
        recorded_at, actor, source, changes)
    VALUES ('00000000-0000-4000-8000-000000000001', 1, 'registered', '2020-01-01', now(),
        'test', 'api', '[{{"field": "a", "before": null, "after": {JSON_VALUE}}}]')
    """,
    f"""
    INSERT INTO outbox (event_id, event_type, subject, organization_id, organization_version,
        province_code, occurred_at, recorded_at, actor, data)
    VALUES (gen_random_uuid(), 'organization.registered', 'coop.v1.org.registered.96',
        '00000000-0000-4000-8000-000000000001', 1, '96', now(), now(), 'test', '{JSON_VALUE}')
    """,
    f"""
    INSERT INTO audit_log (actor, source, action, target, diff)
    VALUES ('test', 'api', 'organization.registered', 'x', '{JSON_VALUE}')
    """,
    "INSERT INTO outbox_sequence (sequence, outbox_id) SELECT 1, id FROM outbox",
    "INSERT INTO outbox_held (sequence, held_at, held_reason) VALUES (1, now(), 'too large')",
)

AUDIT_WITHOUT_DIFF = (
    "INSERT INTO audit_log (actor, source, action, target) VALUES ('t', 'a', 'b', 'c')"
)

JSON_TYPES = """
    SELECT table_name, column_name, data_type, column_default FROM information_schema.columns
    WHERE (table_name, column_name) IN
        (('outbox', 'data'), ('organization_versions', 'changes'), ('audit_log', 'diff'))
    ORDER BY table_name
"""


async def _json_readers(engine: AsyncEngine) -> dict[str, Any]:
    """What each reader of the three columns is given, and an audit row's default, on new
    connections (the statements prepared before a migration are stale)."""
    await engine.dispose()
    async with engine.begin() as conn:
        await conn.execute(text(AUDIT_WITHOUT_DIFF))
        audit = await conn.execute(text("SELECT diff FROM audit_log ORDER BY id"))
        seen = {
            "change_log": [event["data"] for event in await outbox.page(conn, 0, 10)],
            "held": [(row.sequence, row.data_bytes) for row in await outbox.held_rows(conn)],
            "versions": [row.version.changes for row in await load_with_history(conn, ORG_ID)],
            "audit": [row.diff for row in audit],
        }
        await conn.rollback()
    return seen


async def _json_types(engine: AsyncEngine) -> list[tuple[Any, ...]]:
    async with engine.connect() as conn:
        return [tuple(row) for row in await conn.execute(text(JSON_TYPES))]


async def test_the_event_changes_and_audit_values_read_the_same_as_json_and_back_as_jsonb(
    fresh_database: str,
) -> None:
    engine = create_async_engine(fresh_database, **JSON_COLUMNS)
    try:
        await migrate_to(engine, MIGRATIONS, "0008")
        async with engine.begin() as conn:
            for statement in INSERT_JSON_ROWS:
                await conn.execute(text(statement))
        before_types = await _json_types(engine)
        before = await _json_readers(engine)

        await migrate_to(engine, MIGRATIONS, "0009")
        assert {data_type for _, _, data_type, _ in await _json_types(engine)} == {"json"}
        assert await _json_readers(engine) == before

        await migrate_to(engine, MIGRATIONS, "0008", down=True)
        assert await _json_types(engine) == before_types
        assert await _json_readers(engine) == before
    finally:
        await engine.dispose()
