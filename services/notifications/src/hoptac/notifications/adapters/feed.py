"""Reading the stored log: feed pages in sequence order, time ranges, and the snapshot.

Readers never see past the watermark: an event stored after a hole would otherwise be served
before the one that fills the hole, and a reader paging `after=N` would skip the latter.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from hoptac.notifications.domain.filters import EventFilter

FILTERS = """
    AND (cardinality(CAST(:event_types AS TEXT[])) = 0 OR event_type = ANY (CAST(:event_types AS TEXT[])))
    AND (cardinality(CAST(:provinces AS TEXT[])) = 0 OR province_code = ANY (CAST(:provinces AS TEXT[])))
    AND (cardinality(CAST(:kinds AS TEXT[])) = 0 OR kind = ANY (CAST(:kinds AS TEXT[])))
    AND (cardinality(CAST(:sectors AS TEXT[])) = 0 OR sector_group = ANY (CAST(:sectors AS TEXT[])))
"""  # noqa: E501

PAGE = text(f"""
SELECT sequence, event_type, payload FROM events
WHERE sequence > :after AND sequence <= :through {FILTERS}
ORDER BY sequence LIMIT :limit
""")


@dataclass(frozen=True)
class FeedPage:
    events: list[tuple[int, str, str]]  # (sequence, event_type, payload JSON)
    next: int  # the `after` for the next page
    through: int  # the watermark this page was read under


def filter_params(wanted: EventFilter) -> dict[str, list[str]]:
    return wanted.as_lists()


async def page(
    conn: AsyncConnection, after: int, limit: int, wanted: EventFilter, through: int
) -> FeedPage:
    rows = (
        await conn.execute(
            PAGE,
            {"after": after, "through": through, "limit": limit, **filter_params(wanted)},
        )
    ).all()
    events = [(int(r.sequence), str(r.event_type), str(r.payload)) for r in rows]
    # A short page means everything up to the watermark was looked at: a filtered reader
    # moves on past events it does not want instead of scanning them again.
    nxt = max(through, after) if len(events) < limit else events[-1][0]
    return FeedPage(events, nxt, through)


def page_json(result: FeedPage) -> str:
    """The response body, spliced from stored JSON without parsing it again."""
    body = ",".join(payload for _, _, payload in result.events)
    return f'{{"events":[{body}],"next":{result.next},"through":{result.through}}}'


# The organisations a snapshot holds: not removed, and within each filter that is not empty.
_SNAPSHOT_WHERE = """
    NOT removed
    AND (cardinality(CAST(:provinces AS TEXT[])) = 0 OR province_code = ANY(:provinces))
    AND (cardinality(CAST(:kinds AS TEXT[])) = 0 OR kind = ANY(:kinds))
    AND (cardinality(CAST(:sectors AS TEXT[])) = 0 OR sector_group = ANY(:sectors))
"""


async def snapshot_chunks(
    engine: AsyncEngine, wanted: EventFilter | None = None, chunk_rows: int = 1000
) -> AsyncIterator[str]:
    """`{"sequence": N, "organizations": [...]}` as text chunks, from one consistent snapshot,
    of the organisations `wanted` selects (by province, kind and sector; all by default).

    Follow the feed with `after=N` and the same filters afterwards; events the snapshot already
    reflects come again and are recognised by `organization_version`.
    """
    wanted = wanted or EventFilter()
    chosen = {
        "provinces": sorted(wanted.provinces),
        "kinds": sorted(wanted.kinds),
        "sectors": sorted(wanted.sectors),
    }
    async with engine.connect() as conn:
        await conn.execute(text("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY"))
        through = int(
            await conn.scalar(text("SELECT contiguous_through FROM feed_state WHERE id = 1")) or 0
        )
        count = int(
            await conn.scalar(
                text(f"SELECT count(*) FROM organizations WHERE {_SNAPSHOT_WHERE}"), chosen
            )
            or 0
        )
        yield f'{{"sequence":{through},"count":{count},"organizations":['
        first = True
        result = await conn.stream(
            text(
                f"SELECT record::text AS record FROM organizations WHERE {_SNAPSHOT_WHERE} "
                "ORDER BY id"
            ),
            chosen,
        )
        buffer: list[str] = []
        async for row in result:
            buffer.append(row.record)
            if len(buffer) >= chunk_rows:
                yield ("" if first else ",") + ",".join(buffer)
                first = False
                buffer = []
        if buffer:
            yield ("" if first else ",") + ",".join(buffer)
        yield "]}"
        await conn.rollback()
