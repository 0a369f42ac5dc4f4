"""Keeps the policy library's index: the library's change log at start (a new or lost index is
filled again; versions make a second application change nothing), then the platform's durable
consumer of stream LIBRARY_DOC_V1, in the service process beside the organisations' consumer."""

from __future__ import annotations

import asyncio
import contextlib
import logging

import httpx
from prometheus_client import CollectorRegistry
from pydantic import ValidationError

from hoptac.contracts.library import (
    LIBRARY_STREAM,
    LIBRARY_SUBJECT_PREFIX,
    DocumentEvent,
    parse_document_event,
)
from hoptac.platform.consumer import ConsumerHost, Message, Poison
from hoptac.search.adapters.library_port import DocumentIndex
from hoptac.search.domain.library_documents import LibraryDocument
from hoptac.search.settings import SearchSettings

log = logging.getLogger("hoptac.search.library")

PAGE = 20  # events carry their text (up to 300,000 characters each)


class LibraryFeed:
    def __init__(
        self,
        settings: SearchSettings,
        index: DocumentIndex,
        metrics: CollectorRegistry | None = None,
    ) -> None:
        self.settings = settings
        self.index = index
        self.metrics = metrics
        self.consumer: ConsumerHost | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self._stopping = asyncio.Event()

    async def handle(self, messages: list[Message]) -> None:
        documents = []
        for message in messages:
            try:
                event = parse_document_event(message.data)
            except ValidationError as error:
                raise Poison(f"not a library event: {error}") from error
            documents.append(LibraryDocument.from_event(event))
        await self.index.apply(documents)

    async def start(self) -> None:
        self._tasks.append(asyncio.create_task(self._catch_up(), name="library-catch-up"))
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

    async def lag(self) -> int | None:
        return None if self.consumer is None else await self.consumer.lag()

    def check_ready(self) -> None:
        if self.consumer is not None:
            self.consumer.check_ready()

    async def stop(self) -> None:
        self._stopping.set()
        if self.consumer is not None:
            await self.consumer.stop()
        for task in self._tasks:
            with contextlib.suppress(asyncio.TimeoutError, asyncio.CancelledError):
                await asyncio.wait_for(task, timeout=self.settings.consumer_fetch_timeout + 5)

    async def _catch_up(self) -> None:
        """The library may start after us: try again, 1 s then longer, until it answers."""
        delay = 1.0
        while not self._stopping.is_set():
            try:
                log.info("library change log applied: %d documents", await self.catch_up())
                return
            except (httpx.HTTPError, ValidationError, KeyError) as error:
                log.warning("reading the library's change log: %s; trying again", error)
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), delay)
            delay = min(delay * 2, 30.0)

    async def catch_up(self) -> int:
        applied, after = 0, 0
        async with httpx.AsyncClient(base_url=self.settings.library_url, timeout=10) as client:
            while True:
                response = await client.get("/v1/changes", params={"after": after, "limit": PAGE})
                response.raise_for_status()
                page = response.json()
                events = [parse_document_event(raw) for raw in page["events"]]
                if not events:
                    return applied
                applied += await self.index.apply([LibraryDocument.from_event(e) for e in events])
                after = page["next"]
