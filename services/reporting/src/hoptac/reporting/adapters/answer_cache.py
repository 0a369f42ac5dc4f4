"""Answers kept in memory while the projection has not changed: exact, never stale.

Each answer is stored under the projection's generation number when it was computed; a request
reads the current generation (one tiny query) and reuses an answer only if it is the same, so
any applied event makes every earlier answer miss.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable
from typing import Any


class AnswerCache:
    def __init__(self, size: int) -> None:
        self.size = size
        self._answers: OrderedDict[Hashable, tuple[int, dict[str, Any]]] = OrderedDict()

    def get(self, key: Hashable, generation: int) -> dict[str, Any] | None:
        held = self._answers.get(key)
        if held is None or held[0] != generation:
            return None
        self._answers.move_to_end(key)
        return held[1]

    def put(self, key: Hashable, generation: int, answer: dict[str, Any]) -> None:
        if self.size <= 0:
            return
        self._answers[key] = (generation, answer)
        self._answers.move_to_end(key)
        while len(self._answers) > self.size:
            self._answers.popitem(last=False)
