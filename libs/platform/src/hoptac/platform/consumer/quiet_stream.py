"""A quiet stream waited on with one long pull request, not polled.

FastStream's batch loop gathers a batch for `gather_window` (10 ms) and then starts again; on a
quiet stream each round is a pull request that expires empty: a hundred a second, about 40 ms
of CPU a second in every projection doing nothing. Here a round's first fetch waits up to
`wait` for one message (a request the server answers the moment one arrives), then gathers
the rest for `gather_window` as before: an event is handled as soon as it would have been, a
burst is taken in the same batches, and an idle consumer asks once every `wait` seconds.
"""

from __future__ import annotations

import functools
from typing import Any

from nats.aio.msg import Msg
from nats.js import JetStreamContext


def wait_when_quiet(
    subscription: JetStreamContext.PullSubscription,
    batch_size: int,
    wait: float,
    gather_window: float,
) -> None:
    """Make `subscription`'s fetch of a whole batch (how FastStream starts each round) wait
    for its first message up to `wait`; a fetch of the rest of a round is left as it is."""
    fetch = subscription.fetch

    @functools.wraps(fetch)
    async def first_then_gather(
        batch: int = 1,
        timeout: float | None = 5,  # noqa: ASYNC109  # nats-py's own signature
        **options: Any,
    ) -> list[Msg]:
        if batch < batch_size:
            return await fetch(batch, timeout, **options)
        first = await fetch(1, wait, **options)  # TimeoutError when none came: a new round
        if batch == 1:
            return first
        try:
            rest = await fetch(batch - 1, gather_window, **options)
        except TimeoutError:
            rest = []
        return first + rest

    subscription.fetch = first_then_gather  # type: ignore[method-assign, assignment]
