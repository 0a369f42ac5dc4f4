"""The registry's batch write is sent in parts, side by side when their order cannot matter."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
import pytest

from hoptac.collection.adapters.registry import RegistryClient

pytestmark = pytest.mark.unit


class Registry:
    """Answers every row 200 and notes how many requests were in flight at once."""

    def __init__(self) -> None:
        self.in_flight = 0
        self.most_in_flight = 0
        self.rows: list[dict[str, Any]] = []

    async def __call__(self, request: httpx.Request) -> httpx.Response:
        self.in_flight += 1
        self.most_in_flight = max(self.most_in_flight, self.in_flight)
        for _ in range(3):  # let the other requests of the batch start
            await asyncio.sleep(0)
        changes = json.loads(request.content)["changes"]
        self.rows.extend(changes)
        self.in_flight -= 1
        return httpx.Response(
            200, json={"results": [{"index": n, "status": 200} for n in range(len(changes))]}
        )


async def sent(changes: list[dict[str, Any]], dry_run: bool = False) -> Registry:
    registry = Registry()
    client = RegistryClient(
        "http://registry", batch_rows=2, in_flight=3, transport=httpx.MockTransport(registry)
    )
    results = await client.batch("token", changes, dry_run=dry_run)
    await client.close()
    assert len(results) == len(changes)
    return registry


async def test_registrations_are_sent_side_by_side() -> None:
    registry = await sent([{"op": "register", "body": {"n": n}} for n in range(8)])

    assert registry.most_in_flight == 3


async def test_changes_to_one_record_are_sent_one_part_after_the_other_in_order() -> None:
    changes = [
        {"op": "update", "id": "a", "version": 1, "body": {"n": 1}},
        {"op": "update", "id": "b", "version": 1, "body": {"n": 2}},
        {"op": "status", "id": "a", "body": {"n": 3}},
        {"op": "register", "body": {"n": 4}},
    ]

    registry = await sent(changes)

    assert registry.most_in_flight == 1
    assert registry.rows == changes


async def test_a_dry_run_is_sent_side_by_side_whatever_it_holds() -> None:
    changes = [{"op": "update", "id": "a", "version": 1, "body": {"n": n}} for n in range(6)]

    registry = await sent(changes, dry_run=True)

    assert registry.most_in_flight == 3
