"""The one JetStream consumer of every projection (search, reporting, notifications), on FastStream.

- A durable pull consumer, created or updated to the configured settings at start, so a restart
  resumes where the last acknowledgement left off and a changed setting takes effect.
- FastStream's pull subscriber hands batches, in stream order, to one worker; the service's
  `handle` applies a batch all or none (one database transaction) and records what it applied,
  so duplicates change nothing. Messages are acknowledged by hand, after `handle` returns.
- A quiet stream is waited on with one long pull request (`quiet_stream`), not polled every
  10 ms: an idle consumer costs next to no CPU.
- What FastStream lacks lives in `settling`: when a batch fails its messages are tried one at a
  time, so one bad message cannot hold back the good ones; a message that can never succeed
  (`Poison`), or that still fails after `max_tries` deliveries, is published to
  `hoptac.dead_letter.<durable>` and acknowledged; a failure because the projection's own
  dependency is down (`outages.is_outage`) waits without spending the message's tries.
- `running.EventConsumer` supervises all this: a consumer that stops, or keeps failing to settle
  its batches, reports why (readiness), is restarted with backoff and is counted.
- `hosting.ConsumerHost` is how a service runs it, from a FastAPI lifespan or a worker.

JetStream's own `max_deliver` is left unbounded on purpose: when it is reached JetStream stops
delivering the message (it stays in the stream, with an advisory nobody reads), so the
projection would move on without it; our own count sets it aside in the dead letters instead.
"""

from hoptac.platform.consumer.hosting import ConsumerHost
from hoptac.platform.consumer.messages import (
    DEAD_LETTER_PREFIX,
    DEAD_LETTER_STREAM,
    ConflictingEvent,
    Handler,
    Message,
    Poison,
    dead_letter_subject,
    retry_delay,
)
from hoptac.platform.consumer.running import EventConsumer

__all__ = [
    "DEAD_LETTER_PREFIX",
    "DEAD_LETTER_STREAM",
    "ConflictingEvent",
    "ConsumerHost",
    "EventConsumer",
    "Handler",
    "Message",
    "Poison",
    "dead_letter_subject",
    "retry_delay",
]
