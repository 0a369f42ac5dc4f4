"""What collection runs beside its HTTP API: it follows the registry's organisation events
(stream COOP_ORG_V1) into the stored data-quality scores, every `housekeeping_seconds` scores
again what the date made stale and closes the campaigns whose deadline has passed, and every
`schedule_seconds` sends the campaign reminders due and stores the quality report of a month
just ended. The one module that knows the consumer (the platform's ConsumerHost, on FastStream).

The registry's change log brings what the stream did not, through the platform's `GapFiller`:
a first round at start (a new database, events JetStream no longer holds, an event
dead-lettered before a restart), then a round whenever a sequence is missing below one
applied, with a growing pause while the change log cannot fill it."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

from prometheus_client import CollectorRegistry

from hoptac.collection.campaigns import Campaigns
from hoptac.collection.quality import store_ended_month
from hoptac.collection.scores import Scores
from hoptac.collection.settings import CollectionSettings
from hoptac.contracts.events import STREAM, SUBJECT_PREFIX
from hoptac.platform.changelog import catch_up
from hoptac.platform.consumer import ConsumerHost
from hoptac.platform.gaps import GapFiller

log = logging.getLogger("hoptac.collection.events")


class Background:
    def __init__(
        self,
        settings: CollectionSettings,
        scores: Scores,
        campaigns: Campaigns,
        metrics: CollectorRegistry | None,
    ) -> None:
        self.settings = settings
        self.scores = scores
        self.campaigns = campaigns
        self.host = ConsumerHost(
            settings,
            durable=settings.consumer_durable,
            handle=scores.handle_messages,
            stream=STREAM,
            subjects=f"{SUBJECT_PREFIX}.>",
            metrics=metrics,
        )
        self.gaps = GapFiller(
            "collection",
            tracking=lambda: scores.tracking,
            fill=self.catch_up,
            gap_seen=scores.gap_seen,
            metrics=metrics,
        )
        self._tasks: list[asyncio.Task[None]] = []
        self._stopping = asyncio.Event()
        # Set once the change log has been read at start: a reminder sent, or a month's report
        # stored, before it would miss what a new or emptied database has not caught up with.
        self._caught_up = asyncio.Event()

    async def start(self) -> None:
        self.scores.gap_seen.set()  # the first round
        self._tasks.append(asyncio.create_task(self.gaps.run(self._stopping), name="change-log"))
        self._tasks.append(asyncio.create_task(self._housekeeping(), name="housekeeping"))
        self._tasks.append(asyncio.create_task(self._scheduled(), name="scheduler"))
        self._tasks.append(asyncio.create_task(self._follow(), name="consumer"))

    async def _follow(self) -> None:
        """Started in the background: the HTTP API serves while NATS is away."""
        delay = 1.0
        while not self._stopping.is_set():
            try:
                await self.host.start()
                return
            except Exception as error:  # NATS not reachable yet
                log.warning("cannot follow the stream yet (%s); trying again", error)
            await self._pause(delay)
            delay = min(delay * 2, 30.0)

    async def stop(self) -> None:
        self._stopping.set()
        for task in self._tasks:
            with contextlib.suppress(TimeoutError, asyncio.CancelledError):
                await asyncio.wait_for(task, timeout=10)
        await self.host.stop()

    def check_ready(self) -> None:
        """Not ready while the consumer does not follow the stream (not started yet, NATS
        away, restarting), with the reason."""
        self.host.check_ready()

    async def lag(self) -> int | None:
        """Sets hoptac_consumer_lag{consumer="collection"}; None when there is no figure."""
        return await self.host.lag()

    async def catch_up(self) -> int:
        """Apply what the change log holds beyond the sequence up to which every event is
        applied (read again: another instance may have applied more)."""
        after = (await self.scores.read_tracking()).contiguous_through
        applied = await catch_up(
            "collection", self.settings, after=after, apply=self.scores.catch_up
        )
        self._caught_up.set()
        return applied

    async def _housekeeping(self) -> None:
        await self._every(
            self.settings.housekeeping_seconds,
            ("records scored again", self.scores.rescore_stale),
            ("campaigns closed after their deadline", self.campaigns.close_due),
        )

    async def _scheduled(self) -> None:
        """What is done by the calendar, each once whatever the number of processes: the
        campaigns' reminders of the day, and the quality report of the month just ended; both
        from figures caught up with the registry's change log, so neither runs before it has
        been read at start."""
        schedule = self.settings.reminder_schedule()

        async def remind() -> int:
            token = self.settings.scheduled_reminder_token()  # read each round: written later
            return await self.campaigns.remind_due(schedule, token)

        async def store_month() -> int:
            stored = await store_ended_month(self.campaigns.engine, self.campaigns.clock())
            return stored or 0

        await self._every(
            self.settings.schedule_seconds,
            ("campaign reminders sent", self._once_caught_up(remind)),
            (
                "records stored in the quality report of the month ended",
                self._once_caught_up(store_month),
            ),
        )

    def _once_caught_up(self, job: Callable[[], Awaitable[int]]) -> Callable[[], Awaitable[int]]:
        async def run() -> int:
            return await job() if self._caught_up.is_set() else 0

        return run

    async def _every(self, seconds: float, *jobs: tuple[str, Callable[[], Awaitable[int]]]) -> None:
        """Each job now, then every `seconds` until stopped; a failure is logged and the next
        round tries again."""
        while not self._stopping.is_set():
            for what, job in jobs:
                try:
                    if done := await job():
                        log.info("%s: %d", what, done)
                except Exception:  # the database away: the next round tries again
                    log.exception("%s failed", what)
            await self._pause(seconds)

    async def _pause(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stopping.wait(), seconds)
