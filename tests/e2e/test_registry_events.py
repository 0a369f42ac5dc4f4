"""A write over HTTP becomes an event on JetStream, valid against the committed JSON Schema; a
relay killed mid-batch loses and duplicates nothing."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import httpx
import jsonschema
import nats
import pytest
from nats.js import JetStreamContext

from hoptac.contracts.events import STREAM
from hoptac.platform.changelog import read_changes
from hoptac.platform.testing import wait_until

from .conftest import RegistryStack

pytestmark = pytest.mark.e2e


def body(number: int) -> dict[str, Any]:
    return {
        "registration_number": f"96{number:08d}",
        "name": f"Hợp tác xã Nông nghiệp Khánh Bình {number}",
        "kind": "cooperative",
        "registered_on": "2019-05-20",
        "address": {"province_code": "96", "commune_code": "31825", "street": "Khóm 2"},
        "sector": {"group": "agriculture", "vsic": ["0322"]},
        "members_count": 12,
        "legal_representative": {"name": "Lê Thị Hồng", "id_number": "096190004321"},
    }


async def stream_count(js: JetStreamContext) -> int:
    try:
        return int((await js.stream_info(STREAM)).state.messages)
    except nats.js.errors.NotFoundError:
        return 0


async def all_messages(js: JetStreamContext) -> list[Any]:
    info = await js.stream_info(STREAM)
    return [
        await js.get_msg(STREAM, s) for s in range(info.state.first_seq, info.state.last_seq + 1)
    ]


async def test_a_write_over_http_arrives_on_jetstream_valid_against_the_schema(
    registry_stack: RegistryStack, contracts_dir: Path
) -> None:
    schema = json.loads((contracts_dir / "schemas/organization-event.v1.schema.json").read_text())
    nc = await nats.connect(registry_stack.nats_url)
    try:
        js = nc.jetstream()
        async with httpx.AsyncClient(
            base_url=registry_stack.url, headers=registry_stack.headers
        ) as http:
            created = (await http.post("/v1/organizations", json=body(1))).json()
            await http.post(
                f"/v1/organizations/{created['id']}/status",
                json={
                    "status": "suspended",
                    "reason": "Tạm ngừng 6 tháng",
                    "suspended_until": "2027-05-01",
                },
            )
        await wait_until(lambda: stream_count(js), timeout=15)
        await wait_until(lambda: _at_least(js, 2), timeout=15)
        messages = await all_messages(js)
    finally:
        await nc.close()
    events = [json.loads(m.data) for m in messages]
    for event in events:
        jsonschema.validate(event, schema)
    assert [m.subject for m in messages] == [
        "coop.v1.org.registered.96",
        "coop.v1.org.status_changed.96",
    ]
    assert events[1]["data"]["previous_status"] == "operating"
    assert events[1]["organization_version"] == 2
    assert "096190004321" not in json.dumps(events)  # restricted fields stay in the registry


async def _at_least(js: JetStreamContext, count: int) -> bool:
    return await stream_count(js) >= count


async def test_a_relay_killed_mid_batch_still_delivers_every_event_once(
    registry_stack: RegistryStack,
) -> None:
    total = 400
    registry_stack.relay.stop()  # let a backlog build up, so the kill lands mid-way
    async with httpx.AsyncClient(
        base_url=registry_stack.url, headers=registry_stack.headers
    ) as http:
        gate = asyncio.Semaphore(16)

        async def create(number: int) -> None:
            async with gate:
                response = await http.post("/v1/organizations", json=body(number))
                assert response.status_code == 201, response.text

        await asyncio.gather(*(create(n) for n in range(total)))
    nc = await nats.connect(registry_stack.nats_url)
    try:
        js = nc.jetstream()
        registry_stack.relay.start()
        published_at_kill = await wait_until(lambda: stream_count(js), timeout=30)
        registry_stack.relay.kill()
        assert published_at_kill < total, "the relay finished before it could be killed"
        registry_stack.relay.start()
        await wait_until(lambda: _at_least(js, total), timeout=60)
        events = [json.loads(m.data) for m in await all_messages(js)]
    finally:
        await nc.close()
    ids = [e["event_id"] for e in events]
    assert len(ids) == total == len(set(ids))
    assert sorted(e["sequence"] for e in events) == list(range(1, total + 1))


async def test_the_change_log_pages_back_every_published_event_in_order(
    registry_stack: RegistryStack,
) -> None:
    async with httpx.AsyncClient(
        base_url=registry_stack.url, headers=registry_stack.headers
    ) as http:
        for number in range(25):
            assert (
                await http.post("/v1/organizations", json=body(200 + number))
            ).status_code == 201

    async def published() -> list[list[dict[str, Any]]]:
        pages = [
            page
            async for page in read_changes(registry_stack.url, registry_stack.admin_token, 0, 10)
        ]
        return pages if sum(len(page) for page in pages) == 25 else []

    pages = await wait_until(published, timeout=15, message="25 events in the change log")
    assert [len(page) for page in pages] == [10, 10, 5]
    assert [e["sequence"] for page in pages for e in page] == list(range(1, 26))
    resumed = [
        e
        async for page in read_changes(registry_stack.url, registry_stack.admin_token, 20)
        for e in page
    ]
    assert [e["sequence"] for e in resumed] == [21, 22, 23, 24, 25]
