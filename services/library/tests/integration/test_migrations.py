"""Migration 0002 splits the texts a library already held into their articles."""

from __future__ import annotations

import uuid

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, text
from sqlalchemy.ext.asyncio import create_async_engine

from hoptac.library.adapters.migrations import MIGRATIONS

pytestmark = pytest.mark.integration


def upgrade_to(connection: Connection, revision: str) -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    command.upgrade(config, revision)


async def test_the_texts_held_before_are_split_into_their_articles(fresh_database: str) -> None:
    engine = create_async_engine(fresh_database)
    document_id = uuid.uuid4()
    try:
        async with engine.begin() as conn:
            await conn.run_sync(upgrade_to, "0001")
            await conn.execute(
                text(
                    "INSERT INTO documents (id, version, number_key, record, text) "
                    "VALUES (:id, 2, '17/2023/qh15', '{}', :text)"
                ),
                {"id": document_id, "text": "Điều 1. Một\nNội dung\nĐiều 2: Hai\n"},
            )
            await conn.execute(
                text(
                    "INSERT INTO documents (id, version, number_key, record) "
                    "VALUES (:id, 1, '23/2012/qh13', '{}')"
                ),
                {"id": uuid.uuid4()},
            )
            await conn.run_sync(upgrade_to, "head")
            query = "SELECT document_id, anchor, heading, body FROM articles ORDER BY position"
            rows = (await conn.execute(text(query))).all()
    finally:
        await engine.dispose()
    assert [tuple(row) for row in rows] == [
        (document_id, "dieu-1", "Một", "Nội dung"),
        (document_id, "dieu-2", "Hai", ""),
    ]
