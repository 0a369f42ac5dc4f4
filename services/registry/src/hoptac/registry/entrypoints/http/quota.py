"""How many records with restricted fields one token may read in an hour: bulk reads of ID
numbers and phones are bounded (and each such page is audited by the handler)."""

from __future__ import annotations

import math
import time

from limits import RateLimitItemPerHour
from limits.aio.storage import MemoryStorage
from limits.aio.strategies import SlidingWindowCounterRateLimiter

from hoptac.platform.text import Text
from hoptac.registry.domain.access import Principal
from hoptac.registry.domain.errors import QuotaExceeded


class RestrictedQuota:
    def __init__(self, records_per_hour: int) -> None:
        self.item = RateLimitItemPerHour(records_per_hour)
        self.limiter = SlidingWindowCounterRateLimiter(MemoryStorage())

    async def spend(self, principal: Principal, records: int) -> None:
        if records == 0:
            return
        if not await self.limiter.hit(self.item, "restricted", principal.name, cost=records):
            stats = await self.limiter.get_window_stats(self.item, "restricted", principal.name)
            wait = max(1, math.ceil(stats.reset_time - time.time()))
            raise QuotaExceeded(
                Text(
                    "registry.restricted_quota",
                    limit=self.item.amount,
                    remaining=stats.remaining,
                    seconds=wait,
                ),
                wait,
            )
