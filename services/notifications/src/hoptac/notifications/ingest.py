"""Taking events in: from JetStream as they come, and from the registry's change log to fill
holes (on start, and whenever a sequence is missing)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from typing import Any

from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncEngine

from hoptac.notifications.adapters import event_store
from hoptac.notifications.adapters.event_store import StoredEvent, StoreResult, to_stored
from hoptac.platform.changelog import ChangeLogError, read_changes
from hoptac.platform.consumer import Message, Poison

log = logging.getLogger("hoptac.notifications.ingest")


class Ingest:
    def __init__(
        self,
        engine: AsyncEngine,
        registry_url: str,
        token: Callable[[], str | None],
        on_stored: Callable[[], None] = lambda: None,
        retry_seconds: float = 5.0,
    ) -> None:
        self.engine = engine
        self.registry_url = registry_url
        self.token = token
        self.on_stored = on_stored
        self.retry_seconds = retry_seconds
        self.gap_seen = asyncio.Event()

    async def handle(self, messages: list[Message]) -> None:
        """The consumer's handler: one transaction for the batch (all or nothing)."""
        events = []
        for message in messages:
            try:
                events.append(to_stored(message.data))
            except (ValidationError, ValueError) as error:
                raise Poison(f"not a valid organisation event: {error}") from error
        await self.store(events)

    async def store(self, events: Sequence[StoredEvent]) -> StoreResult:
        async with self.engine.begin() as conn:
            result = await event_store.store(conn, events)
        if result.deliveries:
            self.on_stored()
        if result.has_gap:
            self.gap_seen.set()
        return result

    async def backfill(self) -> int:
        """Read the change log after our watermark to its end; returns events stored."""
        token = self.token()
        if token is None:
            raise ChangeLogError(
                "no token for the registry's change log: set HOPTAC_NOTIFICATIONS_REGISTRY_TOKEN "
                "or let the launcher write <var_dir>/service-token"
            )
        async with self.engine.connect() as conn:
            after = await event_store.watermark(conn)
        stored = 0
        async for page in read_changes(self.registry_url, token, after=after):
            events = self._valid(page)
            stored += (await self.store(events)).stored
        if stored:
            log.info("backfilled %d events from the registry's change log", stored)
        return stored

    def _valid(self, page: list[dict[str, Any]]) -> list[StoredEvent]:
        events = []
        for raw in page:
            try:
                events.append(to_stored(raw))
            except (ValidationError, ValueError) as error:
                # The same event from JetStream is dead-lettered with the reason; here we can
                # only say so.
                log.error(
                    "change log entry %s is not a valid event: %s", raw.get("sequence"), error
                )
        return events

    async def keep_complete(self, stop: asyncio.Event) -> None:
        """Backfill on start, then again whenever a hole is seen, until it is filled.

        Without a token for the change log yet (`hoptac run` writes it once the registry is up)
        it waits for one, saying so once, rather than failing a backfill every few seconds.
        """
        if self.token() is None:
            log.info("waiting for a registry token to read the change log (var/service-token)")
            while self.token() is None and not stop.is_set():
                await _sleep_unless(stop, self.retry_seconds)
        self.gap_seen.set()
        pause = self.retry_seconds
        while not stop.is_set():
            waiter = asyncio.ensure_future(self.gap_seen.wait())
            stopper = asyncio.ensure_future(stop.wait())
            await asyncio.wait([waiter, stopper], return_when=asyncio.FIRST_COMPLETED)
            waiter.cancel()
            stopper.cancel()
            if stop.is_set():
                return
            self.gap_seen.clear()
            try:
                stored = await self.backfill()
            except Exception as error:  # registry away, token missing: try again later
                log.warning("backfill from %s failed: %s", self.registry_url, error)
                await _sleep_unless(stop, self.retry_seconds)
                self.gap_seen.set()
                continue
            if stored == 0 and self.gap_seen.is_set():
                # A hole the change log did not fill (its event is not valid here, say): look
                # again later, less and less often, not in a tight loop against the registry.
                log.warning("a hole in the stored log remains; looking again in %.0f s", pause)
                await _sleep_unless(stop, pause)
                pause = min(pause * 2, MAX_PAUSE_SECONDS)
            else:
                pause = self.retry_seconds


MAX_PAUSE_SECONDS = 300.0


async def _sleep_unless(stop: asyncio.Event, seconds: float) -> None:
    try:
        await asyncio.wait_for(stop.wait(), timeout=seconds)
    except TimeoutError:
        return
