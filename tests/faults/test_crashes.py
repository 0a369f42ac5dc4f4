"""Kill -9 each part of the platform in turn while writes stream in, start it again, and prove:
nothing acknowledged is lost, nothing is applied twice (every projection agrees with the
registry: `hoptac check`), and every event reaches a slow, sometimes failing webhook receiver,
with duplicates within the documented at-least-once bound.

`make test` runs one round; `make soak` runs many, with more writes (HOPTAC_FAULT_ROUNDS,
HOPTAC_FAULT_WRITES_PER_SECOND).
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import httpx
import pytest

from hoptac.cli.check import Urls, run_check
from hoptac.platform.testing import wait_until

from .platform import Platform
from .receiver import Receiver
from .workload import Writer, registry_events, subscribe

pytestmark = pytest.mark.e2e

ROUNDS = int(os.environ.get("HOPTAC_FAULT_ROUNDS", "1"))
WRITES_PER_SECOND = float(os.environ.get("HOPTAC_FAULT_WRITES_PER_SECOND", "8"))
# Every part, one after the other: the projections, the notifications worker and API, the relay,
# the registry API, nats-server, PostgreSQL.
VICTIMS = (
    "search",
    "reporting",
    "notifications-worker",
    "notifications",
    "registry-relay",
    "registry",
    "nats",
    "postgres",
)
DOWN_SECONDS = 1.0


@pytest.fixture
async def platform(workdir: Callable[[str], Path]) -> AsyncIterator[Platform]:
    platform = Platform(workdir("faults"))
    try:
        await platform.start()
        yield platform
    finally:
        platform.stop()


async def test_every_part_killed_during_writes_loses_nothing_and_delivers_everything(
    platform: Platform, receiver: Receiver
) -> None:
    await subscribe(platform, receiver)
    headers = {"Authorization": f"Bearer {platform.admin_token}"}
    timeout = httpx.Timeout(10.0)
    async with httpx.AsyncClient(
        base_url=platform.url("registry"), headers=headers, timeout=timeout
    ) as http:
        writer = Writer(http)
        stop = asyncio.Event()
        writing = asyncio.create_task(writer.run(stop, WRITES_PER_SECOND))
        for _ in range(ROUNDS):
            for victim in VICTIMS:
                await asyncio.sleep(1.0)
                await platform.crash(victim, DOWN_SECONDS)
        stop.set()
        await writing

        # Nothing acknowledged is lost.
        for org_id, version in writer.acknowledged.items():
            answer = await http.get(f"/v1/organizations/{org_id}")
            assert answer.status_code == 200, answer.text
            assert answer.json()["version"] >= version

    platform.check_alive()
    # Nothing applied twice, nothing missing: every projection agrees with the registry.
    urls = Urls(
        platform.url("registry"),
        platform.url("search"),
        platform.url("reporting"),
        platform.url("notifications"),
    )
    differences = await run_check(urls, platform.service_token, 90.0, lambda line: None)
    assert differences == [], differences

    # Every event reached the receiver; duplicates only from deliveries in flight at a kill.
    events = await registry_events(platform)

    def delivered() -> bool:
        return set(events) <= set(receiver.acknowledged)

    await wait_until(delivered, timeout=120, message="every event acknowledged by the receiver")
    assert {receiver.sequences[i] for i in events} == set(events.values())
    twice = sum(count - 1 for count in receiver.acknowledged.values() if count > 1)
    print(
        f"{ROUNDS} round(s) of {len(VICTIMS)} kills: {len(writer.acknowledged)} organisations, "
        f"{len(events)} events, {sum(receiver.attempts.values())} webhook attempts, "
        f"{twice} acknowledged twice"
    )
    in_flight_kills = 2 * ROUNDS  # the worker's and PostgreSQL's
    assert twice <= 4 * in_flight_kills, receiver.acknowledged.most_common(5)
