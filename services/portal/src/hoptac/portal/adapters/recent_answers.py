"""Backend answers the portal keeps a little while, for pages many readers ask at once.

Two kinds, each bounded (least recently used out first):

- `RecentAnswers`: an answer kept for a few seconds (the search service's, for a results
  page). Readers who ask the same thing while no answer is kept share one call (single
  flight), so a popular query costs the search service once however many ask at that moment.
  An answer older than its freshness limit may still be served for `stale_seconds` more while
  one call replaces it in the background, so readers of a popular query never wait for the
  search service, and no answer served is older than the two limits together.
- `VersionedAnswers`: an answer that cannot change while its organisation keeps its version
  (its record, the registry's history up to that version): kept until the version moves, so a
  profile asks the registry only whether the record's version is still the current one (a 304
  when it is) and a status change still shows at once.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable
from typing import Any

Clock = Callable[[], float]
Fetch = Callable[[], Awaitable[Any]]

log = logging.getLogger(__name__)


class RecentAnswers:
    def __init__(
        self,
        seconds: float,
        size: int = 256,
        clock: Clock = time.monotonic,
        stale_seconds: float = 0.0,
    ) -> None:
        self.seconds = seconds
        self.stale_seconds = stale_seconds
        self.size = size
        self.clock = clock
        self._kept: OrderedDict[Hashable, tuple[float, Any]] = OrderedDict()  # asked at, answer
        self._calls: dict[Hashable, asyncio.Task[Any]] = {}  # one call at most per key
        self._generation = 0  # +1 at each clear: a call begun before it keeps nothing

    def get(self, key: Hashable) -> Any | None:
        """The answer kept for `key` while it is fresh."""
        kept = self._kept.get(key)
        if kept is None or kept[0] + self.seconds <= self.clock():
            return None
        return kept[1]

    def clear(self) -> None:
        """What is kept is out of date: every key is asked again."""
        self._kept.clear()
        self._calls.clear()  # those running finish for their readers, and keep nothing
        self._generation += 1

    def put(self, key: Hashable, answer: Any, asked_at: float | None = None) -> None:
        """Keep `answer`, as old as the moment it was asked for (now by default)."""
        if self.seconds <= 0:
            return
        self._kept[key] = (self.clock() if asked_at is None else asked_at, answer)
        self._kept.move_to_end(key)
        while len(self._kept) > self.size:
            self._kept.popitem(last=False)

    async def answer(self, key: Hashable, fetch: Fetch) -> Any:
        """The answer for `key`: kept and fresh; kept and stale but within `stale_seconds`
        (one call then replaces it in the background); else from `fetch`, one call shared by
        everyone asking for `key` meanwhile, its failure theirs too."""
        if self.seconds <= 0:
            return await fetch()
        kept = self._kept.get(key)
        if kept is not None:
            age = self.clock() - kept[0]
            if age < self.seconds:
                return kept[1]
            if age < self.seconds + self.stale_seconds:
                self._call(key, fetch)
                return kept[1]
        # Shielded: a reader who leaves (a closed connection) does not cancel the others' call.
        return await asyncio.shield(self._call(key, fetch))

    def calling(self, key: Hashable) -> bool:
        """Whether a call for `key` is running."""
        return key in self._calls

    def _call(self, key: Hashable, fetch: Fetch) -> asyncio.Task[Any]:
        call = self._calls.get(key)
        if call is None:
            call = asyncio.create_task(self._fetch_and_keep(key, fetch))
            self._calls[key] = call
            call.add_done_callback(lambda done: self._settled(key, done))
        return call

    async def _fetch_and_keep(self, key: Hashable, fetch: Fetch) -> Any:
        asked_at = self.clock()
        generation = self._generation
        answer = await fetch()
        if generation == self._generation:
            self.put(key, answer, asked_at)
        return answer

    def _settled(self, key: Hashable, call: asyncio.Task[Any]) -> None:
        if self._calls.get(key) is call:
            del self._calls[key]
        if not call.cancelled() and call.exception() is not None:
            # Whoever waited has it; a refresh in the background had no one: the kept answer
            # serves until its limit, then a reader's own call meets the failure.
            log.info("a call for a kept answer failed: %r", call.exception())

    async def close(self) -> None:
        """Cancel the calls still running (the portal is stopping)."""
        calls = list(self._calls.values())
        for call in calls:
            call.cancel()
        await asyncio.gather(*calls, return_exceptions=True)


class VersionedAnswers:
    def __init__(self, size: int = 512) -> None:
        self.size = size
        self._kept: OrderedDict[Hashable, tuple[int, Any]] = OrderedDict()

    def __contains__(self, key: Hashable) -> bool:
        return key in self._kept

    def latest(self, key: Hashable) -> tuple[int, Any] | None:
        """The version kept for `key` and its answer."""
        kept = self._kept.get(key)
        if kept is None:
            return None
        self._kept.move_to_end(key)
        return kept

    def get(self, key: Hashable, version: object) -> Any | None:
        kept = self._kept.get(key)
        if kept is None or kept[0] != version:
            return None
        self._kept.move_to_end(key)
        return kept[1]

    def put(self, key: Hashable, version: int, answer: Any) -> None:
        if self.size <= 0:
            return
        self._kept[key] = (version, answer)
        self._kept.move_to_end(key)
        while len(self._kept) > self.size:
            self._kept.popitem(last=False)
