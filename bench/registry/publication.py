"""What the outbox says about publishing: the backlog, and when each event reached JetStream.

`recorded_at` is the commit time the registry stamps on an event; `published_at` is that of the
relay's batch that settled it (`outbox_publications`), stamped once JetStream acknowledged the
batch. Both come from clocks of this one machine.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import asyncpg


class BacklogNotDrained(TimeoutError):
    pass


async def backlog(conn: asyncpg.Connection) -> int:
    return int(await conn.fetchval(_BACKLOG))


# As the registry's `outbox.backlog` counts them: not numbered yet, or past the last batch.
_BACKLOG = """
    SELECT (SELECT count(*) FROM outbox_unnumbered)
         + (SELECT count(*) FROM outbox_sequence WHERE sequence > (
               SELECT coalesce(max(through_sequence), 0) FROM outbox_publications))
"""


async def wait_for_drain(dsn: str, give_up_after: float) -> float:
    """Wait until every outbox row is published; return how long that took.

    Raises BacklogNotDrained, saying what is left, when it does not drain in `give_up_after`.
    """
    started = time.monotonic()
    conn = await asyncpg.connect(dsn)
    try:
        while (left := await backlog(conn)) > 0:
            if time.monotonic() - started > give_up_after:
                raise BacklogNotDrained(
                    f"the outbox backlog did not drain: {left} events still unpublished after "
                    f"{give_up_after:.0f} s"
                )
            await asyncio.sleep(0.05)
    finally:
        await conn.close()
    return time.monotonic() - started


@dataclass(frozen=True)
class Publication:
    """The events of a set of organisations, as published."""

    events: int
    first_published: float  # epoch seconds
    last_published: float
    lag_p50_ms: float  # published_at - recorded_at
    lag_p99_ms: float
    lag_max_ms: float
    after_first_batch: int  # events published after the first relay batch
    mean_bytes: float  # of the event's data, as stored (json text)


_PUBLICATION = """
    WITH e AS (
        SELECT recorded_at, published_at,
               extract(epoch FROM published_at - recorded_at) * 1000 AS lag_ms,
               octet_length(data::text) AS size
        FROM outbox
        JOIN outbox_sequence ON outbox_sequence.outbox_id = outbox.id
        CROSS JOIN LATERAL (
            SELECT published_at FROM outbox_publications
            WHERE through_sequence >= outbox_sequence.sequence
            ORDER BY through_sequence LIMIT 1
        ) AS batch
        WHERE organization_id = ANY($1::uuid[]) AND event_type = $2 AND recorded_at >= $3
    )
    SELECT count(*),
           extract(epoch FROM min(published_at)),
           extract(epoch FROM max(published_at)),
           percentile_disc(0.5) WITHIN GROUP (ORDER BY lag_ms),
           percentile_disc(0.99) WITHIN GROUP (ORDER BY lag_ms),
           max(lag_ms),
           count(*) FILTER (WHERE published_at > (SELECT min(published_at) FROM e)),
           avg(size)
    FROM e
"""


async def publication(
    dsn: str, organization_ids: Sequence[str], event_type: str, recorded_since: float
) -> Publication:
    """The `event_type` events of these organisations recorded since `recorded_since` (epoch)."""
    conn = await asyncpg.connect(dsn)
    try:
        row = await conn.fetchrow(
            _PUBLICATION,
            list(organization_ids),
            event_type,
            _timestamp(recorded_since),
        )
    finally:
        await conn.close()
    values = [math.nan if value is None else float(value) for value in row]
    return Publication(
        int(values[0]), values[1], values[2], values[3], values[4], values[5],
        int(values[6]) if not math.isnan(values[6]) else 0, values[7],
    )  # fmt: skip


def _timestamp(epoch: float) -> datetime:
    return datetime.fromtimestamp(epoch, UTC)
