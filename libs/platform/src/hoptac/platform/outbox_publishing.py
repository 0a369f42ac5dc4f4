"""Publishing a batch of outbox rows to JetStream in order, for every service with an outbox.

A row is anything with an `id` (its outbox key), a `subject` and an `event_id` (its Nats-Msg-Id);
the caller says how a row becomes the message body.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from nats.js import JetStreamContext
from nats.js.api import StreamConfig
from nats.js.errors import NotFoundError


@dataclass(frozen=True)
class Outcome:
    """What became of one batch: outbox ids acknowledged, and those JetStream will never take."""

    published: list[int] = field(default_factory=list)
    held: dict[int, str] = field(default_factory=dict)  # outbox id -> reason

    @property
    def settled(self) -> int:
        return len(self.published) + len(self.held)


# The bytes NATS counts beside the body: the header block carrying Nats-Msg-Id.
_HEADER_ALLOWANCE = 128


async def publish_in_order(
    js: JetStreamContext,
    rows: list[Any],
    body_of: Callable[[Any], bytes],
    ack_timeout: float,
    max_payload: int,
) -> Outcome:
    """Publish rows in their order.

    Publishing is pipelined (all sent, then all acknowledgements awaited). Only an unbroken prefix
    counts, so a failure part-way leaves the rest to be sent again, in order. A row that can never
    be published, being over the server's max_payload, does not break the prefix: it is reported
    as held, so one bad event cannot stop every event behind it. (Any other failure may pass, and
    is retried; the backlog's age makes it loud.)
    """
    outcome = Outcome()
    sent: list[tuple[Any, asyncio.Future[Any] | None]] = []
    for row in rows:
        body = body_of(row)
        if len(body) + _HEADER_ALLOWANCE > max_payload:
            sent.append((row, None))
            continue
        headers = {"Nats-Msg-Id": str(row.event_id)}
        sent.append((row, await js.publish_async(row.subject, body, headers=headers)))
    futures = [future for _, future in sent if future is not None]
    results = iter(
        await asyncio.wait_for(asyncio.gather(*futures, return_exceptions=True), ack_timeout)
    )
    for row, future in sent:
        if future is None:
            outcome.held[row.id] = (
                f"the event is over the NATS server's max_payload of {max_payload:,} bytes"
            )
        elif isinstance(next(results), BaseException):
            break
        else:
            outcome.published.append(row.id)
    return outcome


async def ensure_stream(js: JetStreamContext, config: StreamConfig) -> None:
    """Create the stream, or bring an existing one to this configuration."""
    try:
        await js.stream_info(str(config.name))
    except NotFoundError:
        await js.add_stream(config)
    else:
        await js.update_stream(config)
