"""How many records with restricted fields one caller may read in an hour: bulk reads of ID
numbers and phones are bounded (and each such page is audited by the handler).

The counts are in the registry's database (adapters/restricted_reads.py), so the quota is one
per caller however many registry processes serve the API.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncEngine

from hoptac.platform.text import Text
from hoptac.registry.adapters import restricted_reads
from hoptac.registry.domain.access import Principal
from hoptac.registry.domain.errors import QuotaExceeded
from hoptac.registry.domain.sliding_window import SlidingWindow

HOUR = 3600


class RestrictedQuota:
    def __init__(self, engine: AsyncEngine, records_per_hour: int) -> None:
        self.engine = engine
        self.window = SlidingWindow(records_per_hour, HOUR)

    async def spend(self, principal: Principal, records: int) -> None:
        if records == 0:
            return
        async with self.engine.begin() as conn:
            refusal = await restricted_reads.spend(conn, self.window, principal.name, records)
        if refusal is not None:
            raise QuotaExceeded(
                Text(
                    "registry.restricted_quota",
                    limit=self.window.limit,
                    remaining=refusal.remaining,
                    seconds=refusal.wait_seconds,
                ),
                refusal.wait_seconds,
            )
