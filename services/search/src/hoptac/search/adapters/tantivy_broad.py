"""Answers to broad searches, kept until the next commit (see BroadAnswers)."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from hoptac.search.adapters.tantivy_queries import Vocabulary
from hoptac.search.domain import text

T = TypeVar("T")


def is_broad(q: str, vocabulary: Vocabulary) -> bool:
    """Only words that most names hold ("HTX", "hợp tác xã"): nearly every document matches."""
    words = text.analyse(q)
    return bool(words) and all(vocabulary.is_common(text.fold(w)) for w in words)


class BroadAnswers:
    """The answers to broad queries, until the next commit: filters without words (a listing:
    "the cooperatives of province 96, by name") and words that most names hold ("Hợp tác xã",
    what people type first in a suggestion box). Such a query matches a large part of the index,
    so its facets cost tens of milliseconds; every other query is answered afresh."""

    def __init__(self, size: int = 256) -> None:
        self._size = size
        self._answers: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = threading.Lock()
        self.epoch = 0  # +1 at every commit

    def get(self, key: Hashable, epoch: int, compute: Callable[[], T]) -> T:
        """The answer kept for `key`, else `compute()`'s, kept unless a commit came since
        `epoch` (read before the searcher that `compute` uses)."""
        with self._lock:
            if key in self._answers:
                self._answers.move_to_end(key)
                answer: T = self._answers[key]
                return answer
        answer = compute()
        with self._lock:
            if epoch == self.epoch:
                self._answers[key] = answer
                while len(self._answers) > self._size:
                    self._answers.popitem(last=False)
        return answer

    def clear(self) -> None:
        with self._lock:
            self.epoch += 1
            self._answers.clear()
