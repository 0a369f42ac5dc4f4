"""Percentiles and rates, the way every benchmark here reports them."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass


def percentile(values: Sequence[float], fraction: float) -> float:
    """The nearest-rank percentile (`fraction` in [0, 1]) of `values`: a value that was really
    observed, so p99 of 100 samples is the 99th smallest and max is p100."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = max(1, math.ceil(fraction * len(ordered)))
    return ordered[rank - 1]


@dataclass(frozen=True)
class Latencies:
    """A latency distribution in milliseconds."""

    count: int
    p50: float
    p95: float
    p99: float
    max: float

    @classmethod
    def of_seconds(cls, seconds: Sequence[float]) -> Latencies:
        ordered = sorted(seconds)

        def ms(fraction: float) -> float:
            return percentile(ordered, fraction) * 1000

        return cls(len(ordered), ms(0.50), ms(0.95), ms(0.99), ms(1.0))

    def __str__(self) -> str:
        return (
            f"p50 {self.p50:.1f}  p95 {self.p95:.1f}  p99 {self.p99:.1f}  "
            f"max {self.max:.1f} ms  (n={self.count})"
        )


def per_second(count: float, seconds: float) -> float:
    return count / seconds if seconds > 0 else math.nan


def fraction_of(ours: float, raw: float) -> float:
    """`ours` as a percentage of `raw`."""
    return 100 * ours / raw if raw > 0 else math.nan
