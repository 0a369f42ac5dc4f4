"""The counts behind the quota on restricted records read, shared by every registry process."""

from __future__ import annotations

from sqlalchemy import delete, func, select
from sqlalchemy.dialects.postgresql import insert as upsert
from sqlalchemy.ext.asyncio import AsyncConnection

from hoptac.registry.adapters.tables import restricted_reads
from hoptac.registry.domain.sliding_window import Refusal, SlidingWindow, Spent


async def spend(
    conn: AsyncConnection, window: SlidingWindow, caller: str, records: int
) -> Refusal | None:
    """Count `records` more for `caller`, in the caller's transaction, unless the window refuses
    them. Spendings of one caller take turns (an advisory lock), so two processes cannot both
    spend what is left; windows before the previous one are deleted as they pass."""
    key = func.hashtextextended("restricted_reads:" + caller, 0)
    await conn.execute(select(func.pg_advisory_xact_lock(key)))
    # The database's clock, after the lock: the same for every process, however long it waited.
    now = await conn.execute(select(func.extract("epoch", func.clock_timestamp())))
    epoch = float(now.scalar_one())
    current = window.window_of(epoch)
    rows = await conn.execute(
        select(restricted_reads.c.window_number, restricted_reads.c.records).where(
            restricted_reads.c.caller == caller,
            restricted_reads.c.window_number.in_((current - 1, current)),
        )
    )
    counts = {row.window_number: row.records for row in rows}
    spent = Spent(previous=counts.get(current - 1, 0), current=counts.get(current, 0))
    refusal = window.refusal(spent, epoch, records)
    if refusal is None:
        await conn.execute(
            upsert(restricted_reads)
            .values(window_number=current, caller=caller, records=records)
            .on_conflict_do_update(
                index_elements=[restricted_reads.c.window_number, restricted_reads.c.caller],
                set_={"records": restricted_reads.c.records + records},
            )
        )
    await conn.execute(
        delete(restricted_reads).where(restricted_reads.c.window_number < current - 1)
    )
    return refusal
