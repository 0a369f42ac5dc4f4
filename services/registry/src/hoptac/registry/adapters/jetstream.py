"""The JetStream side of the outbox: the stream, and publishing a batch in order."""

from __future__ import annotations

from typing import Any

from nats.js import JetStreamContext
from nats.js.api import StorageType, StreamConfig

from hoptac.contracts.events import STREAM, SUBJECT_PREFIX
from hoptac.platform.outbox_publishing import Outcome
from hoptac.platform.outbox_publishing import ensure_stream as ensure_stream
from hoptac.platform.outbox_publishing import publish_in_order as publish_rows
from hoptac.registry.adapters.outbox import body


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


async def publish_in_order(
    js: JetStreamContext, rows: list[Any], ack_timeout: float, max_payload: int
) -> Outcome:
    """Publish outbox rows in sequence order (`hoptac.platform.outbox_publishing`)."""
    return await publish_rows(js, rows, body, ack_timeout, max_payload)
