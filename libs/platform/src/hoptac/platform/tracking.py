"""What a projection has applied of the registry's change log: every sequence up to
`contiguous_through`, plus the ranges applied beyond it.

The change log numbers events 1, 2, 3 … without gaps, so a sequence above `contiguous_through`
that is not held is a hole: an event dead-lettered, or still on its way. Persisting
`contiguous_through` (and not the highest sequence seen) is what lets a restart fill such an
event in from the change log once it can be applied. The ranges beyond are kept as intervals:
a hole that stays open costs one interval, not one entry per event after it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Tracking:
    contiguous_through: int = 0
    beyond: tuple[tuple[int, int], ...] = field(default=())  # sorted, disjoint, not adjacent

    def with_applied(self, sequences: Iterable[int]) -> Tracking:
        """The tracking once `sequences` are applied too."""
        ranges = sorted([*self.beyond, *((s, s) for s in sequences if s > self.contiguous_through)])
        merged: list[tuple[int, int]] = []
        for start, end in ranges:
            if merged and start <= merged[-1][1] + 1:
                merged[-1] = (merged[-1][0], max(merged[-1][1], end))
            else:
                merged.append((start, end))
        through = self.contiguous_through
        if merged and merged[0][0] == through + 1:
            through = merged.pop(0)[1]
        return Tracking(through, tuple(merged))

    @property
    def gap(self) -> tuple[int, int] | None:
        """The first run of sequences missing below one already applied (first, last)."""
        if not self.beyond:
            return None
        return self.contiguous_through + 1, self.beyond[0][0] - 1

    @property
    def missing(self) -> int:
        """How many sequences below the highest applied one are not applied."""
        if not self.beyond:
            return 0
        held = sum(end - start + 1 for start, end in self.beyond)
        return self.beyond[-1][1] - self.contiguous_through - held
