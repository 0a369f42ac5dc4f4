"""What a delivery attempt's answer means, and when to try again.

Exponential backoff with jitter: the n-th retry waits first·multiplier^(n-1), capped, then
scaled by a random factor in [1 - jitter, 1 + jitter] so that many deliveries failing together
do not come back together. The default policy keeps trying for more than three days.
"""

from __future__ import annotations

import enum
import random
from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class RetryPolicy:
    first_delay: float = 5.0
    multiplier: float = 2.0
    max_delay: float = 8 * 3600.0
    attempts: int = 25
    jitter: float = 0.2
    retry_after_max: float = 24 * 3600.0

    def base_delay(self, failed_attempts: int) -> float:
        """Seconds before the next try after `failed_attempts` failures (≥ 1), without jitter."""
        exponent = max(failed_attempts - 1, 0)
        # Cap the exponent first: multiplier ** 2000 overflows a float.
        if self.multiplier > 1 and exponent > 64:
            return self.max_delay
        return float(min(self.first_delay * self.multiplier**exponent, self.max_delay))

    def delay(self, failed_attempts: int, rng: random.Random) -> float:
        base = self.base_delay(failed_attempts)
        return base * rng.uniform(1 - self.jitter, 1 + self.jitter)

    def shortest_span(self) -> float:
        """Seconds from the first to the last attempt when every jitter draw is at its lowest."""
        return sum(self.base_delay(n) for n in range(1, self.attempts)) * (1 - self.jitter)


class Outcome(enum.StrEnum):
    DELIVERED = "delivered"
    RETRY = "retry"  # try again later
    FAILED = "failed"  # no attempts left
    GONE = "gone"  # 410: the receiver ended the subscription


@dataclass(frozen=True)
class Decision:
    outcome: Outcome
    next_attempt_at: datetime | None = None


def decide(
    policy: RetryPolicy,
    status_code: int | None,
    attempts_made: int,
    now: datetime,
    rng: random.Random,
    retry_after: float | None = None,
) -> Decision:
    """`status_code` is None when no answer came (timeout, refused connection)."""
    if status_code is not None and 200 <= status_code < 300:
        return Decision(Outcome.DELIVERED)
    if status_code == 410:
        return Decision(Outcome.GONE)
    if attempts_made >= policy.attempts:
        return Decision(Outcome.FAILED)
    wait = policy.delay(attempts_made, rng)
    if status_code == 429 and retry_after is not None:
        wait = max(wait, min(retry_after, policy.retry_after_max))
    return Decision(Outcome.RETRY, now + timedelta(seconds=wait))


def parse_retry_after(value: str | None, now: datetime) -> float | None:
    """Seconds from a Retry-After header: delta-seconds or an HTTP date; None if unusable."""
    if value is None:
        return None
    text = value.strip()
    if text.isdigit():
        return float(text)
    from email.utils import parsedate_to_datetime

    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        return None
    return max((when - now).total_seconds(), 0.0)
