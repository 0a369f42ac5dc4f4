"""Filling a projection's gaps from the registry's change log, the same way in every projection:
at once when one is seen, then, while the change log cannot fill it, again after 5 s, 10 s, …
up to 5 minutes, with the missing sequences logged and counted."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import weakref
from collections.abc import Awaitable, Callable

from prometheus_client import CollectorRegistry, Gauge

from hoptac.platform.tracking import Tracking

log = logging.getLogger("hoptac.gaps")

FIRST_PAUSE = 5.0
MAX_PAUSE = 300.0


class GapFiller:
    def __init__(
        self,
        projection: str,
        *,
        tracking: Callable[[], Tracking | None],
        fill: Callable[[], Awaitable[object]],
        gap_seen: asyncio.Event,
        metrics: CollectorRegistry | None,
    ) -> None:
        self.projection = projection
        self.tracking = tracking
        self.fill = fill  # reads the change log after the contiguous sequence and applies it
        self.gap_seen = gap_seen
        self.missing = missing_gauge(metrics)

    async def run(self, stopping: asyncio.Event) -> None:
        pause = FIRST_PAUSE
        while not await _first_of(self.gap_seen, stopping):
            self.gap_seen.clear()
            try:
                await self.fill()
            except Exception as error:  # the registry away, no token yet: the pause, then again
                failed: Exception | None = error
            else:
                failed = None
            tracking = self.tracking()
            self.missing.labels(self.projection).set(tracking.missing if tracking else 0)
            if failed is not None:
                log.warning(
                    "%s: reading the change log failed (%s); trying again in %.0f s",
                    self.projection,
                    failed,
                    pause,
                )
            elif tracking is not None and tracking.gap is not None:
                first, last = tracking.gap
                log.warning(
                    "%s: change-log sequences %d-%d are missing and the change log did not "
                    "fill them; looking again in %.0f s",
                    self.projection,
                    first,
                    last,
                    pause,
                )
            else:
                pause = FIRST_PAUSE
                continue
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stopping.wait(), pause)
            pause = min(pause * 2, MAX_PAUSE)
            self.gap_seen.set()


# One gauge per service registry, labelled by projection: search fills the gaps of two
# projections (the organisations and the policy library) on one registry.
_ON_REGISTRY: weakref.WeakKeyDictionary[CollectorRegistry, Gauge] = weakref.WeakKeyDictionary()


def missing_gauge(registry: CollectorRegistry | None) -> Gauge:
    """hoptac_projection_missing_sequences on `registry` (an unregistered one when None)."""
    if registry is not None and (gauge := _ON_REGISTRY.get(registry)) is not None:
        return gauge
    gauge = Gauge(
        "hoptac_projection_missing_sequences",
        "Change-log sequences below the highest applied one that the projection does not "
        "hold: above 0 for long, an event the change log could not fill (see the log)",
        ["projection"],
        registry=registry,
    )
    if registry is not None:
        _ON_REGISTRY[registry] = gauge
    return gauge


async def _first_of(event: asyncio.Event, stopping: asyncio.Event) -> bool:
    """Wait until `event` is set or `stopping` is; True if stopping."""
    stopped = asyncio.ensure_future(stopping.wait())
    happened = asyncio.ensure_future(event.wait())
    await asyncio.wait([stopped, happened], return_when=asyncio.FIRST_COMPLETED)
    stopped.cancel()
    happened.cancel()
    return stopping.is_set()
