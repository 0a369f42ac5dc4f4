"""A message already received is handed over at once, not through a task of its own.

nats-py's pull fetch gathers a batch by awaiting `Subscription.next_msg` once per message, and
each call makes two tasks and a timer (`create_task` of `wait_for(queue.get(), timeout)`) even
when the message is already in the subscription's queue: 16 of the fetch's 27 µs a message
under uvloop (`bench/consumer/fetch.py`), a tenth of reporting's CPU per event in an import's
approval. Here `next_msg` takes a waiting message straight from that queue, with the same
bookkeeping as nats-py's own (its pending size, the queue's `task_done`); only when the queue
is empty does it wait as before. The fetch's logic (its pull requests, status messages, time
limits) is nats-py's, unchanged, and it sees the same messages in the same order.
"""

from __future__ import annotations

import functools

import nats.errors
from nats.aio.msg import Msg
from nats.js import JetStreamContext


def take_ready_messages_at_once(subscription: JetStreamContext.PullSubscription) -> None:
    sub = subscription._sub  # the pull subscription's inbox, whose queue the fetch reads
    queue = sub._pending_queue
    wait_for_next = sub.next_msg

    @functools.wraps(wait_for_next)
    async def next_msg(timeout: float | None = 1.0) -> Msg:  # noqa: ASYNC109  # nats-py's signature
        if queue.empty():
            return await wait_for_next(timeout)
        if sub._conn.is_closed:
            raise nats.errors.ConnectionClosedError
        msg = queue.get_nowait()
        sub._pending_size -= len(msg.data)
        queue.task_done()
        return msg

    sub.next_msg = next_msg  # type: ignore[method-assign]
