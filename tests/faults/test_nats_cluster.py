"""The platform on a three-node NATS JetStream cluster with the stream at three replicas, as in
production: nodes are killed and brought back, one at a time, while writes stream in. Nothing
acknowledged is lost or applied twice in any projection, and every event reaches the webhook
receiver. The figures printed: writes, events, and the longest a write waited during a loss.
"""

from __future__ import annotations

import asyncio
import time

import httpx
import nats
import pytest

from hoptac.contracts.events import STREAM
from hoptac.platform.testing import wait_until

from .platform import Platform, StartPlatform
from .receiver import Receiver
from .workload import (
    Writer,
    check_every_event_delivered,
    check_every_projection_agrees,
    check_nothing_acknowledged_is_lost,
    subscribe,
)

pytestmark = pytest.mark.e2e

NODES = 3
WRITES_PER_SECOND = 8.0
DOWN_SECONDS = 3.0


@pytest.fixture
async def cluster(started: StartPlatform) -> Platform:
    return await started("nats-cluster", nats_nodes=NODES)


class TimedWriter(Writer):
    """The writer, noting the longest it waited for the registry to take one write."""

    longest_wait: float = 0.0

    async def _retried(self, write: object) -> None:
        started = time.monotonic()
        await super()._retried(write)
        self.longest_wait = max(self.longest_wait, time.monotonic() - started)


async def stream_replicas(platform: Platform) -> tuple[int, int]:
    """(replicas configured, replicas current) of the event stream."""
    nc = await nats.connect(platform.account.services_url(platform.nats.url))
    try:
        info = await nc.jetstream().stream_info(STREAM)
    finally:
        await nc.close()
    assert info.cluster is not None
    current = 1 + sum(1 for replica in info.cluster.replicas or [] if replica.current)
    return info.config.num_replicas or 1, current


async def test_a_nats_node_lost_during_writes_loses_and_doubles_nothing(
    cluster: Platform, receiver: Receiver
) -> None:
    await subscribe(cluster, receiver)
    headers = {"Authorization": f"Bearer {cluster.admin_token}"}
    async with httpx.AsyncClient(
        base_url=cluster.url("registry"), headers=headers, timeout=httpx.Timeout(10.0)
    ) as http:
        writer = TimedWriter(http)
        stop = asyncio.Event()
        writing = asyncio.create_task(writer.run(stop, WRITES_PER_SECOND))
        for node in range(NODES):  # each node in turn, the stream's leader among them
            await asyncio.sleep(2.0)
            await cluster.crash(f"nats-{node}", DOWN_SECONDS)
        await asyncio.sleep(2.0)
        stop.set()
        await writing

        await check_nothing_acknowledged_is_lost(http, writer)

    cluster.check_alive()
    await check_every_projection_agrees(cluster)

    events = await check_every_event_delivered(cluster, receiver)

    async def replicated() -> bool:
        return await stream_replicas(cluster) == (NODES, NODES)

    await wait_until(replicated, timeout=60, message="every replica of the stream current again")
    print(
        f"{NODES} NATS nodes, stream R{NODES}, each node killed for {DOWN_SECONDS:.0f} s in turn: "
        f"{len(writer.acknowledged)} organisations, {len(events)} events, 0 lost, 0 applied twice; "
        f"the longest a write waited: {writer.longest_wait:.2f} s"
    )
