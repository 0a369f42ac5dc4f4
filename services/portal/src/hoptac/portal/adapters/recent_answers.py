"""Backend answers the portal keeps a little while, for pages many readers ask at once.

Two kinds, each bounded (least recently used out first):

- `RecentAnswers`: an answer kept for a few seconds (the search service's, for a results
  page): no older than the search index itself may be after a commit, and a popular query asked
  by many readers in the same second costs the search service once.
- `VersionedAnswers`: an answer that cannot change while its organisation keeps its version
  (the registry's history up to that version): kept until the version moves, so a profile asks
  the registry for the record alone and a status change still shows at once.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any

Clock = Callable[[], float]


class RecentAnswers:
    def __init__(self, seconds: float, size: int = 256, clock: Clock = time.monotonic) -> None:
        self.seconds = seconds
        self.size = size
        self.clock = clock
        self._kept: OrderedDict[Hashable, tuple[float, Any]] = OrderedDict()

    def get(self, key: Hashable) -> Any | None:
        kept = self._kept.get(key)
        if kept is None or kept[0] <= self.clock():
            return None
        return kept[1]

    def put(self, key: Hashable, answer: Any) -> None:
        if self.seconds <= 0:
            return
        self._kept[key] = (self.clock() + self.seconds, answer)
        self._kept.move_to_end(key)
        while len(self._kept) > self.size:
            self._kept.popitem(last=False)


class VersionedAnswers:
    def __init__(self, size: int = 512) -> None:
        self.size = size
        self._kept: OrderedDict[Hashable, tuple[int, Any]] = OrderedDict()

    def __contains__(self, key: Hashable) -> bool:
        return key in self._kept

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
