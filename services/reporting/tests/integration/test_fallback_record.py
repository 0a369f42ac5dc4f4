"""`organizations.record` is kept only while an organisation's registration is not held (the
fallback of its timeline), and migration 0003, which lets it be null, goes down and up again."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date
from typing import Any
from uuid import UUID

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from hoptac.platform.migrations import migrate_to
from hoptac.reporting.adapters.event_mapping import from_envelope
from hoptac.reporting.adapters.migrations import MIGRATIONS
from hoptac.reporting.handlers import Reporting

from ..histories import TODAY, FakeRegistry, base_record
from .conftest import load

pytestmark = pytest.mark.integration


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_async_engine(database_url)
    yield engine
    await engine.dispose()


async def stored_records(engine: AsyncEngine) -> dict[UUID, Any]:
    async with engine.connect() as conn:
        rows = await conn.execute(text("SELECT organization_id, record FROM organizations"))
        return {row.organization_id: row.record for row in rows}


async def counted(engine: AsyncEngine) -> list[tuple[Any, ...]]:
    async with engine.connect() as conn:
        rows = await conn.execute(
            text(
                "SELECT organization_id, valid_from, valid_to, members FROM timeline ORDER BY 1, 2"
            )
        )
        return [tuple(row) for row in rows]


def counted_part(envelope: dict[str, Any]) -> dict[str, Any]:
    record = from_envelope(envelope).record
    assert record is not None  # a later version carries it
    return record


async def test_the_record_is_kept_only_until_the_registration_is_held(engine: AsyncEngine) -> None:
    registry = FakeRegistry()
    reporting = Reporting(engine, lambda: TODAY)
    first = registry.register(base_record(1, date(2020, 3, 1)))
    late = registry.register(base_record(2, date(2021, 4, 1)))
    late_id = UUID(late["organization_id"])
    update = registry.update(late_id, date(2022, 5, 5), {"members_count": 70})

    await load(reporting, [first, update])  # the second's registration is still on its way
    records = await stored_records(engine)
    assert records[UUID(first["organization_id"])] is None
    assert records[late_id] == counted_part(update)
    assert [(row[1], row[3]) for row in await counted(engine) if row[0] == late_id] == [
        (date(2021, 4, 1), 70)  # counted from its registration day as it is now
    ]

    await load(reporting, [late])
    assert (await stored_records(engine))[late_id] is None
    assert [(row[1], row[3]) for row in await counted(engine) if row[0] == late_id] == [
        (date(2021, 4, 1), 10),
        (date(2022, 5, 5), 70),
    ]


async def test_a_downgrade_gives_every_row_a_record_again_and_changes_no_count(
    engine: AsyncEngine,
) -> None:
    registry = FakeRegistry()
    registered = registry.register(base_record(1, date(2020, 3, 1)))
    other = registry.register(base_record(2, date(2021, 4, 1)))
    update = registry.update(UUID(other["organization_id"]), date(2022, 5, 5), {"workers_count": 3})
    await load(Reporting(engine, lambda: TODAY), [registered, update])
    timeline = await counted(engine)

    await migrate_to(engine, MIGRATIONS, "0002", down=True)
    records = await stored_records(engine)
    assert records == {
        UUID(registered["organization_id"]): {},  # never read: its registration is held
        UUID(other["organization_id"]): counted_part(update),
    }
    async with engine.connect() as conn:
        nullable = await conn.scalar(
            text(
                "SELECT is_nullable FROM information_schema.columns "
                "WHERE table_name = 'organizations' AND column_name = 'record'"
            )
        )
    assert nullable == "NO"
    assert await counted(engine) == timeline

    await migrate_to(engine, MIGRATIONS, "0003")
    await load(Reporting(engine, lambda: TODAY), [other])
    assert (await stored_records(engine))[UUID(other["organization_id"])] is None
