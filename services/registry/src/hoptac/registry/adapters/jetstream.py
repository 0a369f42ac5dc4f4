"""The JetStream side of the outbox: the stream, and publishing a batch in order."""

from __future__ import annotations

import asyncio
from typing import Any

from nats.js import JetStreamContext
from nats.js.api import StorageType, StreamConfig
from nats.js.errors import NotFoundError

from hoptac.contracts.events import STREAM, SUBJECT_PREFIX
from hoptac.registry.adapters.outbox import encode, envelope


def stream_config(max_age_days: int, duplicate_window_seconds: int) -> StreamConfig:
    return StreamConfig(
        name=STREAM,
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


async def publish_in_order(js: JetStreamContext, rows: list[Any], ack_timeout: float) -> list[int]:
    """Publish rows in sequence order; return the outbox ids of the acknowledged prefix.

    Publishing is pipelined (all sent, then all acknowledgements awaited). Only an unbroken prefix
    counts as published, so a failure part-way leaves the rest to be sent again, in order.
    """
    futures = []
    for row in rows:
        body = encode(envelope(row))
        headers = {"Nats-Msg-Id": str(row.event_id)}
        futures.append(await js.publish_async(row.subject, body, headers=headers))
    done: list[int] = []
    results = await asyncio.wait_for(asyncio.gather(*futures, return_exceptions=True), ack_timeout)
    for row, result in zip(rows, results, strict=True):
        if isinstance(result, BaseException):
            break
        done.append(row.id)
    return done
