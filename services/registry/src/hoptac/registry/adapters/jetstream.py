"""The JetStream side of the outbox: the stream, and publishing a batch in order."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

from nats.js import JetStreamContext
from nats.js.api import StorageType, StreamConfig
from nats.js.errors import NotFoundError

from hoptac.contracts.events import STREAM, SUBJECT_PREFIX
from hoptac.registry.adapters.outbox import encode, envelope


def stream_config(
    max_age_days: int, duplicate_window_seconds: int, replicas: int = 1
) -> StreamConfig:
    """The stream; in production on a three-node cluster with `replicas` 3, so that a node lost
    loses no acknowledged event (a publish is acknowledged once a majority stored it)."""
    return StreamConfig(
        name=STREAM,
        num_replicas=replicas,
        subjects=[f"{SUBJECT_PREFIX}.>"],
        storage=StorageType.FILE,
        max_age=max_age_days * 86400,
        # Republishing after a relay crash is deduplicated by Nats-Msg-Id within this window;
        # consumers deduplicate by organization_version beyond it.
        duplicate_window=duplicate_window_seconds,
    )


async def ensure_stream(js: JetStreamContext, config: StreamConfig) -> None:
    try:
        await js.stream_info(STREAM)
    except NotFoundError:
        await js.add_stream(config)
    else:
        await js.update_stream(config)


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
    js: JetStreamContext, rows: list[Any], ack_timeout: float, max_payload: int
) -> Outcome:
    """Publish rows in sequence order.

    Publishing is pipelined (all sent, then all acknowledgements awaited). Only an unbroken prefix
    counts, so a failure part-way leaves the rest to be sent again, in order. A row that can never
    be published, being over the server's max_payload, does not break the prefix: it is reported
    as held, so one bad event cannot stop every event behind it. (Any other failure may pass, and
    is retried; the backlog's age makes it loud.)
    """
    outcome = Outcome()
    sent: list[tuple[Any, asyncio.Future[Any] | None]] = []
    for row in rows:
        body = encode(envelope(row))
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
