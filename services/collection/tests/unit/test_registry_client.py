"""The registry's batch write is sent in parts, side by side when their order cannot matter; a
dry run given its rows a part at a time asks and answers as one batch of the rows known last."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

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


class Answering(Registry):
    """Answers each row from what it holds (as a dry run does) and keeps every request."""

    def __init__(self) -> None:
        super().__init__()
        self.requests: list[list[dict[str, Any]]] = []

    async def __call__(self, request: httpx.Request) -> httpx.Response:
        changes = json.loads(request.content)["changes"]
        self.requests.append(changes)
        await asyncio.sleep(0)
        return httpx.Response(
            200,
            json={"results": [{"index": n, "seen": c["body"]} for n, c in enumerate(changes)]},
        )


def checked_rows(count: int, tag: str = "") -> list[dict[str, Any]]:
    return [{"op": "register", "body": {"n": n, "tag": tag}} for n in range(count)]


async def streamed(given: list[list[dict[str, Any]]], final: list[dict[str, Any]]) -> Answering:
    """`final` checked by a dry run that was given `given` a part at a time, in order."""
    registry = Answering()
    client = RegistryClient(
        "http://r", batch_rows=3, in_flight=2, transport=httpx.MockTransport(registry)
    )
    async with client.dry_run("token") as check:
        for part in given:
            check.add(part)
            await asyncio.sleep(0)
        results = await check.results(final)
    await client.close()
    assert [r["seen"] for r in results] == [row["body"] for row in final]
    return registry


@given(st.lists(st.integers(min_value=0, max_value=4), max_size=6))
@settings(deadline=None, max_examples=30)
def test_a_dry_run_given_in_parts_asks_the_same_requests_as_one_batch(cuts: list[int]) -> None:
    rows = checked_rows(10)
    given, start = [], 0
    for size in cuts:
        given.append(rows[start : start + size])
        start += size

    registry = asyncio.run(streamed(given, rows))

    assert registry.requests == [rows[0:3], rows[3:6], rows[6:9], rows[9:10]]


async def test_a_part_given_with_rows_that_changed_since_is_asked_again_alone() -> None:
    rows = checked_rows(9)
    changed = [*rows[:3], {"op": "update", "id": "x", "version": 2, "body": {"n": 3}}, *rows[4:]]

    registry = await streamed([rows], changed)

    assert registry.requests[:3] == [rows[0:3], rows[3:6], rows[6:9]]
    assert registry.requests[3:] == [changed[3:6]]


async def test_rows_given_then_left_out_are_never_asked_about_in_a_part_of_their_own() -> None:
    rows = checked_rows(7)

    registry = await streamed([rows], rows[:3])

    assert registry.requests.count(rows[0:3]) == 1
    assert rows[6:7] not in registry.requests


async def test_a_check_that_ends_early_leaves_no_request_running() -> None:
    registry = Answering()
    client = RegistryClient("http://r", batch_rows=2, transport=httpx.MockTransport(registry))
    check = client.dry_run("token")

    async def read_then_fail() -> None:
        async with check:
            check.add(checked_rows(6))
            raise LookupError

    with pytest.raises(LookupError):
        await read_then_fail()

    assert all(request.done() for _, request in check._sent)
    await client.close()


async def test_rows_are_sent_as_json_with_their_text_and_any_integer() -> None:
    """The body is written by orjson, or by the standard library when a cell's integer is
    beyond the 64 bits orjson writes: the registry reads the same rows either way."""
    changes = [
        {"op": "register", "body": {"name": "Hợp tác xã Tân Hưng", "members_count": 1_250}},
        {"op": "update", "id": "a", "version": 1, "body": {"members_count": 10**30}},
    ]

    for rows in (changes[:1], changes):
        registry = await sent(rows)
        assert registry.rows == rows
