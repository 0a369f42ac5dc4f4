"""Growing delays, then a temporary lock, after failed sign-ins in a row.

A key (an account, or an address) may fail `free_failures` times freely; after that each attempt
must wait `first_delay`, doubled with every further failure up to `max_delay`; after
`lock_after` failures it is locked for `lock_for`. Failures older than `forget_after` count no
more. The wait is enforced by refusing early attempts, not by sleeping, so a guesser holds no
connection open and gains nothing by sending many at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

NO_WAIT = timedelta(0)


@dataclass(frozen=True)
class ThrottlePolicy:
    free_failures: int = 5
    first_delay: timedelta = timedelta(seconds=5)
    max_delay: timedelta = timedelta(minutes=2)
    lock_after: int = 10
    lock_for: timedelta = timedelta(minutes=15)
    forget_after: timedelta = timedelta(hours=1)

    def __post_init__(self) -> None:
        if not 0 < self.free_failures <= self.lock_after:
            raise ValueError("free_failures must be at least 1 and at most lock_after")
        if self.forget_after < max(self.lock_for, self.max_delay):
            raise ValueError("forget_after must outlast both the lock and the longest delay")

    def scaled(self, factor: int) -> ThrottlePolicy:
        """The same delays with `factor` times the failures allowed: for an address, which
        several honest people may share."""
        return ThrottlePolicy(
            self.free_failures * factor,
            self.first_delay,
            self.max_delay,
            self.lock_after * factor,
            self.lock_for,
            self.forget_after,
        )

    def counted(self, failures: int, last_failed_at: datetime | None, now: datetime) -> int:
        """The failures that still count at `now`."""
        if last_failed_at is None or now - last_failed_at >= self.forget_after:
            return 0
        return failures

    def hold(self, failures: int) -> timedelta:
        """How long after the last of `failures` the next attempt must wait."""
        if failures >= self.lock_after:
            return self.lock_for
        if failures < self.free_failures:
            return NO_WAIT
        delay: timedelta = self.first_delay * 2 ** (failures - self.free_failures)
        return min(delay, self.max_delay)

    def wait(self, failures: int, last_failed_at: datetime | None, now: datetime) -> timedelta:
        """How long from `now` until an attempt is heard again."""
        counted = self.counted(failures, last_failed_at, now)
        if counted == 0 or last_failed_at is None:
            return NO_WAIT
        return max(self.hold(counted) - (now - last_failed_at), NO_WAIT)
