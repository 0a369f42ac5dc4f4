"""Two instances of a projection share its durable consumer, as replicas of a Deployment do:
JetStream hands each message to one of them, so every event is applied once and the load is
shared. Shown for reporting and for the notifications worker, whose projections live in
PostgreSQL; search on tantivy keeps its index on the instance's own disk, so it scales out only
on OpenSearch (docs/operations.md).
"""

from __future__ import annotations

import asyncio
import re

import httpx
import pytest

from .platform import Platform, StartPlatform
from .receiver import Receiver
from .workload import (
    Writer,
    check_every_event_delivered,
    check_every_projection_agrees,
    subscribe,
)

pytestmark = pytest.mark.e2e

SHARED = ("reporting", "notifications-worker")
APPLIED = re.compile(r'^hoptac_consumer_messages_total\{[^}]*outcome="applied"[^}]*\} (\S+)$', re.M)


@pytest.fixture
async def platform(started: StartPlatform) -> Platform:
    # Small batches: at this rate one instance would otherwise take every message in one pull.
    small = {
        f"HOPTAC_{name.upper()}_CONSUMER_BATCH_SIZE": "4" for name in ("reporting", "notifications")
    }
    return await started("shared-durable", env=small)


async def applied(http: httpx.AsyncClient, metrics_url: str) -> int:
    text = (await http.get(metrics_url)).text
    return int(sum(float(value) for value in APPLIED.findall(text)))


async def test_two_instances_on_one_durable_apply_each_event_once_and_share_the_load(
    platform: Platform, receiver: Receiver
) -> None:
    metrics = {
        "reporting": [f"{platform.url('reporting')}/metrics"],
        "notifications-worker": [f"http://127.0.0.1:{platform.worker_metrics_port}/metrics"],
    }
    for name in SHARED:
        metrics[name].append(await platform.second_instance(name))
    await subscribe(platform, receiver)
    headers = {"Authorization": f"Bearer {platform.admin_token}"}
    async with httpx.AsyncClient(
        base_url=platform.url("registry"), headers=headers, timeout=httpx.Timeout(10.0)
    ) as http:
        writer = Writer(http)
        stop = asyncio.Event()
        writing = asyncio.create_task(writer.run(stop, 16.0))
        await asyncio.sleep(8.0)
        stop.set()
        await writing

    await check_every_projection_agrees(platform)
    events = await check_every_event_delivered(platform, receiver)
    async with httpx.AsyncClient(timeout=5) as http:
        shares = {
            name: [await applied(http, url) for url in each] for name, each in metrics.items()
        }
    for name, (first, second) in shares.items():
        assert first + second == len(events), (name, first, second, len(events))
        assert first > 0, (name, first, second)
        assert second > 0, (name, first, second)
    print(
        f"{len(events)} events, each applied once; shared between two instances: "
        + "; ".join(f"{name} {first} + {second}" for name, (first, second) in shares.items())
    )
