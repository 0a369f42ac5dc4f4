"""What search's two followers (organisations, library documents) share: a consumer started
later, background tasks, and stopping both."""

from __future__ import annotations

import asyncio
import contextlib

from hoptac.platform.consumer import ConsumerHost
from hoptac.search.settings import SearchSettings


class Following:
    def __init__(self, settings: SearchSettings) -> None:
        self.settings = settings
        self.consumer: ConsumerHost | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self._stopping = asyncio.Event()

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
