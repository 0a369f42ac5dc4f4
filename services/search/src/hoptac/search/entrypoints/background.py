"""The tasks that run beside the HTTP API in the service process: the stream consumer, which
owns the only writer of the index, and the watcher that follows a reindex's switch."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from prometheus_client import CollectorRegistry

from hoptac.contracts.events import STREAM, SUBJECT_PREFIX
from hoptac.platform.changelog import ChangeLogError, catch_up
from hoptac.platform.consumer import ConsumerHost, Message
from hoptac.platform.gaps import GapFiller
from hoptac.search.domain.pacing import BurstPacing
from hoptac.search.entrypoints.following import Following
from hoptac.search.handlers import Projection
from hoptac.search.settings import SearchSettings

log = logging.getLogger("hoptac.search")


class Background(Following):
    def __init__(
        self, settings: SearchSettings, projection: Projection, metrics: CollectorRegistry
    ) -> None:
        super().__init__(settings)
        self.projection = projection
        self.metrics = metrics
        self.gaps = GapFiller(
            "search",
            tracking=lambda: projection.tracking,
            fill=self.catch_up,
            gap_seen=projection.gap_seen,
            metrics=metrics,
        )
        self.pacing = BurstPacing(settings.consumer_burst_spacing, settings.consumer_batch_size)

    async def start(self) -> None:
        settings = self.settings
        self._tasks.append(asyncio.create_task(self._follow_switches(), name="follow-switches"))
        self._tasks.append(asyncio.create_task(self._catch_up_at_start(), name="catch-up"))
        self._tasks.append(asyncio.create_task(self.gaps.run(self._stopping), name="gaps"))
        if not settings.consume:
            return
        self.consumer = ConsumerHost(
            settings,
            durable=settings.consumer_durable,
            handle=self._handle,
            stream=STREAM,
            subjects=f"{SUBJECT_PREFIX}.>",
            metrics=self.metrics,
            fetch_timeout=settings.consumer_fetch_timeout,
        )
        await self.consumer.start()

    async def _handle(self, messages: list[Message]) -> None:
        """One batch from the stream, then, in a burst, a rest (`domain/pacing.py`), so that
        the next batch is larger: fewer commits. The batch is committed before the rest."""
        loop = asyncio.get_running_loop()
        started = loop.time()
        await self.projection.handle(messages)
        pending = messages[-1].pending if messages else 0
        rest = self.pacing.rest_after(len(messages), loop.time() - started, pending)
        if rest > 0:
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), rest)

    async def _follow_switches(self) -> None:
        """After a reindex switched generations, fetch from the change log what the new one
        missed while it was built (applying twice changes nothing)."""
        index = self.projection.index
        while not self._stopping.is_set():
            try:
                if await index.follow_switch():
                    self.projection.forget_tracking()
                    await self.catch_up()
            except Exception:  # keep watching; the next round tries again
                log.exception("following a switched index generation failed")
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), self.settings.switch_poll_seconds)

    async def _catch_up_at_start(self) -> None:
        """At start: whatever the change log holds beyond the index (a new or lost index, a
        new schema). Usually one empty page. The registry may not answer yet (all start
        together): try again, 1 s then longer, until it does."""
        delay = 1.0
        while not self._stopping.is_set():
            try:
                await self.catch_up()
                return
            except (ChangeLogError, OSError) as failure:  # OSError: the index's disk
                log.warning("catching up from the change log: %s; trying again", failure)
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), delay)
            delay = min(delay * 2, 30.0)

    async def catch_up(self) -> int:
        """Apply what the change log holds beyond the index; raises ChangeLogError when the
        registry cannot be read (no token yet, not answering)."""
        after = await self.projection.index.last_sequence()
        return await catch_up("search", self.settings, after=after, apply=self.projection.catch_up)
