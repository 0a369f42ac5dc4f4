"""nats-py 2.15 and 2.16 let a pull fetch whose time ran out raise the built-in TimeoutError
where they documented (and earlier raised) `nats.errors.TimeoutError` (nats-py pull request
1008, open). FastStream's batch loop catches only the latter, so the built-in one ends its
consume task and drops the messages it had gathered until `ack_wait` brings them back, out of
stream order. This restores the documented exception; it changes nothing else, and nothing
once nats-py raises its own error again.
"""

from __future__ import annotations

import functools
from typing import Any

import nats.errors
from nats.aio.msg import Msg
from nats.js import JetStreamContext

_PullSubscription = JetStreamContext.PullSubscription


def restore_fetch_timeout_error() -> None:
    fetch = _PullSubscription.fetch
    if getattr(fetch, "__hoptac_restored__", False):
        return

    @functools.wraps(fetch)
    async def restored(self: Any, *args: Any, **kwargs: Any) -> list[Msg]:
        try:
            return await fetch(self, *args, **kwargs)
        except nats.errors.TimeoutError:
            raise
        except TimeoutError as error:
            raise nats.errors.TimeoutError from error

    restored.__hoptac_restored__ = True  # type: ignore[attr-defined]
    _PullSubscription.fetch = restored  # type: ignore[method-assign]
