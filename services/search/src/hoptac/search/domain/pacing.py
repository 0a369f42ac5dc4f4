"""How often the consumer commits while a burst of events arrives (an import's approval).

A tantivy commit costs about as much as indexing a hundred documents (a new segment, and the
merges that many small segments bring), whatever it holds. Events of a burst arrive spread
out, a few hundred a second, so the consumer's batches, gathered for 10 ms, held about 150
events each: a commit every 150 events. After a burst's batch the consumer rests, so that the
next batch starts `spacing` seconds after this one and takes what arrived in between: fewer,
larger commits, each event searchable at most `spacing` later. A write alone in its batch is
not a burst, and a backlog is caught up with at once: after a full batch, or one whose last
event says more are waiting in the stream, no rest. (A fetch gathers for 10 ms, so a batch
taken from a backlog may not be full: resting after those held search back to about one batch
a second, 16 s behind the last approval of a 100,000-row import.)
"""

from __future__ import annotations

from dataclasses import dataclass

BURST_EVENTS = 8  # a batch holding this many arrived faster than a commit each is worth


@dataclass(frozen=True)
class BurstPacing:
    spacing: float  # seconds from one burst batch's start to the next one's; 0: no rest
    batch_size: int  # the consumer's largest batch

    def rest_after(self, events: int, handled_in: float, pending: int) -> float:
        """Seconds to wait after handling a batch of `events` that took `handled_in`, with
        `pending` events still waiting in the stream after it."""
        if events < BURST_EVENTS or events >= self.batch_size or pending > 0:
            return 0.0
        return max(0.0, self.spacing - handled_in)
