"""What a projection's `handle` receives and may raise, and where set-aside messages go."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from nats.aio.msg import Msg

DEAD_LETTER_STREAM = "HOPTAC_DEAD_LETTERS"
DEAD_LETTER_PREFIX = "hoptac.dead_letter"


class Poison(Exception):
    """The message can never be handled (not JSON, wrong schema): dead-letter it at once."""


class ConflictingEvent(Poison):
    """An event claims a change-log sequence, or an organisation's version, already applied with
    another event: a forgery or a corruption. It is dead-lettered (an alarm), never dropped."""


@dataclass(frozen=True)
class Message:
    data: bytes
    subject: str
    stream_sequence: int
    deliveries: int  # 1 on the first delivery
    pending: int = 0  # messages of the stream still waiting for this consumer after this one


Handler = Callable[[list[Message]], Awaitable[None]]


def dead_letter_subject(durable: str) -> str:
    return f"{DEAD_LETTER_PREFIX}.{durable}"


def retry_delay(deliveries: int) -> float:
    """Seconds before the next try: 0.5, 1, 2, 4 … capped at a minute."""
    return float(min(0.5 * 2 ** (deliveries - 1), 60.0))


def message_of(msg: Msg) -> Message:
    metadata = msg.metadata
    return Message(
        data=msg.data,
        subject=msg.subject,
        stream_sequence=metadata.sequence.stream,
        deliveries=metadata.num_delivered,
        pending=metadata.num_pending or 0,
    )
