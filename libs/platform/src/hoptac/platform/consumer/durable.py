"""The durable and the dead-letter stream, made to match the configured settings at start."""

from __future__ import annotations

import contextlib

import nats.errors
import nats.js.errors
from nats.js import JetStreamContext
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy, StorageType, StreamConfig

from hoptac.platform.consumer.messages import DEAD_LETTER_PREFIX, DEAD_LETTER_STREAM


def durable_config(durable: str, subjects: str, ack_wait: float) -> ConsumerConfig:
    return ConsumerConfig(
        durable_name=durable,
        ack_policy=AckPolicy.EXPLICIT,
        deliver_policy=DeliverPolicy.ALL,
        ack_wait=ack_wait,
        max_deliver=-1,  # our own count sets a failing message aside: see the package's doc
        max_ack_pending=-1,
        filter_subject=subjects,
    )


async def ensure_dead_letter_stream(js: JetStreamContext) -> None:
    try:
        await js.stream_info(DEAD_LETTER_STREAM)
    except nats.js.errors.NotFoundError:
        config = StreamConfig(
            name=DEAD_LETTER_STREAM,
            subjects=[f"{DEAD_LETTER_PREFIX}.>"],
            storage=StorageType.FILE,
        )
        with contextlib.suppress(nats.js.errors.BadRequestError):  # created meanwhile
            await js.add_stream(config)


async def ensure_durable(js: JetStreamContext, stream: str, config: ConsumerConfig) -> bool:
    """Create the durable, or update it to `config` (a new ack_wait, say), which binding to an
    existing durable alone would leave as it was. False while the stream does not exist yet."""
    try:
        await js.add_consumer(stream, config)
    except nats.js.errors.NotFoundError:
        return False
    return True
