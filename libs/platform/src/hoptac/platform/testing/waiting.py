"""Waiting for a condition instead of sleeping for a guessed time."""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Awaitable, Callable
from typing import TypeVar

T = TypeVar("T")


async def wait_until(
    predicate: Callable[[], T | Awaitable[T]],
    timeout: float = 10.0,  # noqa: ASYNC109 (a deadline for the polling, not for one call)
    *,
    message: str | None = None,
) -> T:
    """Poll `predicate` (sync or async) until it returns something truthy, and return that.

    Raises AssertionError, with `message` or the predicate's name and its last value, when
    `timeout` seconds pass first. Exceptions from the predicate are not swallowed.
    """
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    delay = 0.005
    while True:
        outcome = predicate()
        result: T = await outcome if inspect.isawaitable(outcome) else outcome
        if result:
            return result
        if loop.time() >= deadline:
            what = message or getattr(predicate, "__qualname__", repr(predicate))
            raise AssertionError(f"{what}: not true after {timeout} s (last value: {result!r})")
        await asyncio.sleep(delay)
        delay = min(delay * 2, 0.1)
