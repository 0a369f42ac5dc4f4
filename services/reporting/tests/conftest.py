"""A migrated reporting database on the session's real PostgreSQL (integration and contract)."""

from __future__ import annotations

import pytest

from hoptac.reporting.adapters.migrations import migrate_async


@pytest.fixture
async def database_url(fresh_database: str) -> str:
    await migrate_async(fresh_database)
    return fresh_database
