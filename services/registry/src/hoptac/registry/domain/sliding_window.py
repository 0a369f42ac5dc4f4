"""A sliding-window counter: at most `limit` units in any `seconds`, approximately.

Time is cut into windows of `seconds` each, counted from the Unix epoch. What was spent in the
previous window counts for the part of it still inside the sliding window (all of it at the
start of the current window, none at its end), plus everything spent in the current one. This
is the arithmetic of `limits`' SlidingWindowCounterRateLimiter, kept here so the counts can live
where every registry process sees them (adapters/restricted_reads.py).
"""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class Spent:
    """What the two windows around an instant hold."""

    previous: int
    current: int


@dataclass(frozen=True)
class Refusal:
    remaining: int  # what could still be spent now
    wait_seconds: int  # until the count next drops (at least 1)


@dataclass(frozen=True)
class SlidingWindow:
    limit: int
    seconds: int

    def window_of(self, epoch: float) -> int:
        """The number of the window an instant (Unix time) falls in."""
        return math.floor(epoch / self.seconds)

    def refusal(self, spent: Spent, epoch: float, cost: int) -> Refusal | None:
        """Why `cost` more may not be spent at `epoch`, given what the windows hold; None when
        it may."""
        left_in_window = self.seconds - (epoch - self.window_of(epoch) * self.seconds)
        weighted = math.floor(spent.previous * left_in_window / self.seconds + spent.current)
        if cost <= self.limit and weighted + cost <= self.limit:
            return None
        # The count drops when the next unit leaves the previous window's share, or when the
        # current window's units leave with it.
        drops = []
        if spent.previous:
            drops.append(left_in_window % (self.seconds / spent.previous))
        if spent.current:
            drops.append(left_in_window)
        return Refusal(max(0, self.limit - weighted), max(1, math.ceil(min(drops, default=0))))
