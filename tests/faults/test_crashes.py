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

import httpx
import pytest

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
async def platform(started: StartPlatform) -> Platform:
    return await started("faults")


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

        await check_nothing_acknowledged_is_lost(http, writer)

    platform.check_alive()
    await check_every_projection_agrees(platform)
    # Every event reached the receiver; duplicates only from deliveries in flight at a kill.
    events = await check_every_event_delivered(platform, receiver)
    twice = sum(count - 1 for count in receiver.acknowledged.values() if count > 1)
    print(
        f"{ROUNDS} round(s) of {len(VICTIMS)} kills: {len(writer.acknowledged)} organisations, "
        f"{len(events)} events, {sum(receiver.attempts.values())} webhook attempts, "
        f"{twice} acknowledged twice"
    )
    in_flight_kills = 2 * ROUNDS  # the worker's and PostgreSQL's
    assert twice <= 4 * in_flight_kills, receiver.acknowledged.most_common(5)
