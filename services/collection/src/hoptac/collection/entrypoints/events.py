"""What collection runs beside its HTTP API: it follows the registry's organisation events
(stream COOP_ORG_V1) into the stored data-quality scores, catching up from the registry's
change log at start, and every `housekeeping_seconds` scores again what the date made stale
and closes the campaigns whose deadline has passed. The one module that knows the consumer
(the platform's ConsumerHost, on FastStream)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

import httpx
from prometheus_client import CollectorRegistry

from hoptac.collection.campaigns import Campaigns
from hoptac.collection.scores import Scores
from hoptac.collection.settings import CollectionSettings
from hoptac.contracts.events import STREAM, SUBJECT_PREFIX
from hoptac.platform.changelog import ChangeLogError, read_changes
from hoptac.platform.consumer import ConsumerHost

log = logging.getLogger("hoptac.collection.events")


class CatchUpFailed(Exception):
    """The change log could not be read just now."""


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
        self._tasks: list[asyncio.Task[None]] = []
        self._stopping = asyncio.Event()

    async def start(self) -> None:
        self._tasks.append(asyncio.create_task(self._catch_up_at_start(), name="catch-up"))
        self._tasks.append(asyncio.create_task(self._housekeeping(), name="housekeeping"))
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

    async def lag(self) -> int | None:
        """Sets hoptac_consumer_lag{consumer="collection"}; None when there is no figure."""
        return await self.host.lag()

    async def catch_up(self) -> int:
        """Apply what the change log holds beyond the last event kept."""
        token = self.settings.change_log_token()
        if token is None:
            raise CatchUpFailed("no registry token yet (var/service-token)")
        after = await self.scores.last_sequence()
        try:
            pages = read_changes(self.settings.registry_url, token, after=after)
            applied = await self.scores.catch_up(pages)
        except (ChangeLogError, httpx.HTTPError, OSError) as error:
            raise CatchUpFailed(f"{type(error).__name__}: {error}") from error
        log.info("caught up from sequence %d: %d changes applied", after, applied)
        return applied

    async def _catch_up_at_start(self) -> None:
        """The registry may not answer yet (all start together): try again, 1 s then longer."""
        delay = 1.0
        while not self._stopping.is_set():
            try:
                await self.catch_up()
                return
            except CatchUpFailed as failure:
                log.warning("catching up from the change log: %s; trying again", failure)
            except Exception:  # the database away, or a deadlock with the consumer
                log.exception("catching up from the change log failed; trying again")
            await self._pause(delay)
            delay = min(delay * 2, 30.0)

    async def _housekeeping(self) -> None:
        jobs: tuple[tuple[str, Callable[[], Awaitable[int]]], ...] = (
            ("records scored again", self.scores.rescore_stale),
            ("campaigns closed after their deadline", self.campaigns.close_due),
        )
        while not self._stopping.is_set():
            for what, job in jobs:
                try:
                    if done := await job():
                        log.info("%s: %d", what, done)
                except Exception:  # the database away: the next round tries again
                    log.exception("housekeeping (%s) failed", what)
            await self._pause(self.settings.housekeeping_seconds)

    async def _pause(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stopping.wait(), seconds)
