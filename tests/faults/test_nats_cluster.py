"""The platform on a three-node NATS JetStream cluster with the stream at three replicas, as in
production: nodes are killed and brought back, one at a time, while writes stream in. Nothing
acknowledged is lost or applied twice in any projection, and every event reaches the webhook
receiver. The figures printed: writes, events, and the longest a write waited during a loss.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import httpx
import nats
import pytest

from hoptac.cli.check import Urls, run_check
from hoptac.contracts.events import STREAM
from hoptac.platform.testing import wait_until

from .platform import Platform
from .receiver import Receiver
from .workload import Writer, registry_events, subscribe

pytestmark = pytest.mark.e2e

NODES = 3
WRITES_PER_SECOND = 8.0
DOWN_SECONDS = 3.0


@pytest.fixture
async def cluster(workdir: Callable[[str], Path]) -> AsyncIterator[Platform]:
    platform = Platform(workdir("nats-cluster"), nats_nodes=NODES)
    try:
        await platform.start()
        yield platform
    finally:
        platform.stop()


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

        for org_id, version in writer.acknowledged.items():
            answer = await http.get(f"/v1/organizations/{org_id}")
            assert answer.status_code == 200, answer.text
            assert answer.json()["version"] >= version

    cluster.check_alive()
    urls = Urls(
        cluster.url("registry"),
        cluster.url("search"),
        cluster.url("reporting"),
        cluster.url("notifications"),
    )
    differences = await run_check(urls, cluster.service_token, 90.0, lambda line: None)
    assert differences == [], differences

    events = await registry_events(cluster)
    await wait_until(
        lambda: set(events) <= set(receiver.acknowledged),
        timeout=120,
        message="every event acknowledged by the receiver",
    )
    assert {receiver.sequences[i] for i in events} == set(events.values())

    async def replicated() -> bool:
        return await stream_replicas(cluster) == (NODES, NODES)

    await wait_until(replicated, timeout=60, message="every replica of the stream current again")
    print(
        f"{NODES} NATS nodes, stream R{NODES}, each node killed for {DOWN_SECONDS:.0f} s in turn: "
        f"{len(writer.acknowledged)} organisations, {len(events)} events, 0 lost, 0 applied twice; "
        f"the longest a write waited: {writer.longest_wait:.2f} s"
    )
