"""Keeps the policy library's index: the platform's durable consumer of stream LIBRARY_DOC_V1,
in the service process beside the organisations' consumer, and the library's change log for
what the stream did not bring.

The index records the library change-log sequence up to which it holds every event
(`hoptac.platform.tracking`): at start the change log is read from there (a new or lost index
is filled again, usually it is one empty page), and an event missing below one applied
(dead-lettered, say) is filled in by the platform's `GapFiller`, now or after a restart once it
can be applied. Versions make a second application change nothing."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence

import httpx
from prometheus_client import CollectorRegistry
from pydantic import ValidationError

from hoptac.contracts.library import (
    LIBRARY_STREAM,
    LIBRARY_SUBJECT_PREFIX,
    DocumentEnvelope,
    DocumentEvent,
    parse_document_event,
)
from hoptac.platform.consumer import ConsumerHost, Message, Poison
from hoptac.platform.gaps import GapFiller
from hoptac.platform.tracking import Tracking
from hoptac.search.adapters.library_port import DocumentIndex
from hoptac.search.domain.library_documents import LibraryDocument
from hoptac.search.entrypoints.following import Following
from hoptac.search.settings import SearchSettings

log = logging.getLogger("hoptac.search.library")

PAGE = 20  # events carry their text (up to 300,000 characters each)


class LibraryFeed(Following):
    def __init__(
        self,
        settings: SearchSettings,
        index: DocumentIndex,
        metrics: CollectorRegistry | None = None,
    ) -> None:
        super().__init__(settings)
        self.index = index
        self.metrics = metrics
        self.tracking: Tracking | None = None  # read from the index when first needed
        self.gap_seen = asyncio.Event()
        self.gaps = GapFiller(
            "search-library",
            tracking=lambda: self.tracking,
            fill=self.catch_up,
            gap_seen=self.gap_seen,
            metrics=metrics,
        )
        self._applying = asyncio.Lock()  # the consumer and the change log both apply

    async def handle(self, messages: list[Message]) -> None:
        events = []
        for message in messages:
            try:
                events.append(parse_document_event(message.data))
            except ValidationError as error:
                raise Poison(f"not a library event: {error}") from error
        await self._apply(events)

    async def start(self) -> None:
        # A first round at start: whatever the change log holds beyond the index. The library
        # may start after us; the filler tries again after a pause until it answers.
        self.gap_seen.set()
        self._tasks.append(
            asyncio.create_task(self.gaps.run(self._stopping), name="library-change-log")
        )
        if not self.settings.consume:
            return
        self.consumer = ConsumerHost(
            self.settings,
            durable=f"{self.settings.consumer_durable}-library",
            handle=self.handle,
            stream=LIBRARY_STREAM,
            subjects=f"{LIBRARY_SUBJECT_PREFIX}.>",
            metrics=self.metrics,
            fetch_timeout=self.settings.consumer_fetch_timeout,
            payload=DocumentEvent,
            optional_stream=True,  # a deployment without the library has no documents to index
        )
        await self.consumer.start()

    async def catch_up(self) -> int:
        """Apply what the library's change log holds beyond the contiguous sequence. An entry
        this release cannot read is logged and left out: its gap stays, and is looked at
        again."""
        after = start = (await self._tracking()).contiguous_through
        applied = 0
        async with httpx.AsyncClient(base_url=self.settings.library_url, timeout=10) as client:
            while True:
                response = await client.get("/v1/changes", params={"after": after, "limit": PAGE})
                response.raise_for_status()
                page = response.json()
                if not page["events"]:
                    break
                events = []
                for raw in page["events"]:
                    try:
                        events.append(parse_document_event(raw))
                    except ValidationError as error:
                        log.error(
                            "library change-log sequence %s left out: %s",
                            raw.get("sequence"),
                            error,
                        )
                applied += await self._apply(events)
                after = page["next"]
        log.info("library change log read after sequence %d: %d documents applied", start, applied)
        return applied

    async def _tracking(self) -> Tracking:
        return self.tracking or Tracking(await self.index.contiguous_through())

    async def _apply(self, events: Sequence[DocumentEnvelope]) -> int:
        async with self._applying:
            before = await self._tracking()
            after = before.with_applied(event.sequence for event in events)
            through = after.contiguous_through
            done = await self.index.apply(
                [LibraryDocument.from_event(event) for event in events],
                through if through > before.contiguous_through else None,
            )
            self.tracking = after
        if after.gap is not None:
            self.gap_seen.set()
        return done
