"""Replays asked for by each agency in the last hour, for the per-agency limit."""

from __future__ import annotations

import math
from datetime import timedelta

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

WINDOW = timedelta(hours=1)

FORGET_OLD = text("""
DELETE FROM replay_requests
WHERE owner = :owner AND at < clock_timestamp() - CAST(:window AS INTERVAL)
""")
IN_WINDOW = text("""
SELECT count(*) AS n,
       extract(epoch FROM min(at) + CAST(:window AS INTERVAL) - clock_timestamp()) AS wait
FROM replay_requests WHERE owner = :owner
""")


async def wait_before_next(conn: AsyncConnection, owner: str, per_window: int) -> int | None:
    """Seconds until `owner` may replay again, or None if it may now (and then the replay is
    counted). Call under `subscriptions.lock_owner`, so that counting and adding are one step."""
    bounds = {"owner": owner, "window": WINDOW}
    await conn.execute(FORGET_OLD, bounds)
    row = (await conn.execute(IN_WINDOW, bounds)).one()
    if row.n >= per_window:
        return max(1, math.ceil(float(row.wait)))
    await conn.execute(
        text("INSERT INTO replay_requests (owner) VALUES (:owner)"), {"owner": owner}
    )
    return None
