"""Proposals stored in bulk, however many times the same statement runs."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import uuid4

import pytest
from sqlalchemy.ext.asyncio import create_async_engine

from hoptac.collection.adapters import store

pytestmark = pytest.mark.integration


def proposal(key: str) -> dict[str, Any]:
    return {
        "id": uuid4(),
        "batch_id": None,
        "row_number": 2,
        "row_key": key,
        "organization_id": None,
        "base_version": None,
        "province_code": "96",
        "commune_code": "31825",
        "change": {"record": {}},
        "state": "draft",
        "author": "test",
        "created_at": datetime.now(UTC),
        "comments": [],
    }


async def test_proposals_are_still_added_once_the_statement_is_planned_generically(
    collection_url: str,
) -> None:
    """PostgreSQL plans a prepared statement generically from its sixth run on; the open
    proposals' index must still be found then."""
    engine = create_async_engine(collection_url, pool_size=1)
    try:
        async with engine.begin() as conn:
            added = [await store.add_proposals(conn, [proposal(f"k{n}")]) for n in range(8)]
            again = await store.add_proposals(conn, [proposal("k0")])
    finally:
        await engine.dispose()

    assert added == [1] * 8
    assert again == 0


async def test_thousands_of_proposals_are_added_in_one_call_each_open_key_once(
    collection_url: str,
) -> None:
    engine = create_async_engine(collection_url)
    try:
        async with engine.begin() as conn:
            first = await store.add_proposals(conn, [proposal(f"k{n}") for n in range(2500)])
            again = await store.add_proposals(conn, [proposal(f"k{n}") for n in range(2000, 3500)])
    finally:
        await engine.dispose()

    assert (first, again) == (2500, 1000)
