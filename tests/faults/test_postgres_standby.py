"""PostgreSQL with a synchronous streaming standby, from the same binaries: the primary is killed
while writes stream in and the standby is promoted. The registry, its relay and the projections
reconnect by themselves (their database URLs name both servers and take the one that accepts
writes); no committed change is lost and every projection agrees with the registry. The figures
printed: writes, events, and how long writes waited from the kill to the first write taken by
the new primary.
"""

from __future__ import annotations

import asyncio
import time

import asyncpg
import httpx
import pytest

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

WRITES_PER_SECOND = 8.0


@pytest.fixture
async def platform(started: StartPlatform) -> Platform:
    return await started("pg-standby", standby=True)


async def standby_is_synchronous(platform: Platform) -> bool:
    conn = await asyncpg.connect(platform.postgres.dsn())
    try:
        state = await conn.fetchval(
            "SELECT sync_state FROM pg_stat_replication WHERE application_name = 'standby'"
        )
    finally:
        await conn.close()
    return bool(state == "sync")


async def test_the_standby_promoted_after_the_primary_is_killed_has_every_committed_change(
    platform: Platform, receiver: Receiver
) -> None:
    await wait_until(
        lambda: standby_is_synchronous(platform), message="the standby streaming synchronously"
    )
    await subscribe(platform, receiver)
    headers = {"Authorization": f"Bearer {platform.admin_token}"}
    async with httpx.AsyncClient(
        base_url=platform.url("registry"), headers=headers, timeout=httpx.Timeout(10.0)
    ) as http:
        writer = Writer(http)
        stop = asyncio.Event()
        writing = asyncio.create_task(writer.run(stop, WRITES_PER_SECOND))
        await asyncio.sleep(3.0)
        before = len(writer.acknowledged)
        killed = time.monotonic()
        await platform.fail_over()
        await wait_until(
            lambda: len(writer.acknowledged) > before + 2,
            timeout=120,
            message="writes taken by the promoted standby",
        )
        recovered = time.monotonic() - killed
        await asyncio.sleep(3.0)
        stop.set()
        await writing

        await check_nothing_acknowledged_is_lost(http, writer)

    platform.check_alive()
    await check_every_projection_agrees(platform)
    events = await check_every_event_delivered(platform, receiver)
    print(
        f"PostgreSQL primary killed, standby promoted: {len(writer.acknowledged)} organisations, "
        f"{len(events)} events, 0 committed changes lost; writes resumed {recovered:.1f} s "
        "after the kill"
    )
