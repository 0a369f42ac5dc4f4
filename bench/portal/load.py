"""The closed-loop load of the portal benchmark: C clients, each on its own keep-alive
connection, one request after another for a fixed time after an unmeasured warm-up.

aiohttp, as the search benchmark's load: on two cores the client's CPU is taken from the
servers, and aiohttp costs about a third of httpx's per request. Each answer's
`Server-Timing: app;dur=<ms>`, when it has one, is kept beside the latency the client saw.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field

import aiohttp

KEPT_ERRORS = 10
_APP_DURATION = re.compile(r"(?:^|,)\s*app;dur=([0-9.]+)")


class Failure(Exception):
    """An answer that is not what the page or API call should give; its message says what."""


# One page or one API call (or the few an API shape makes in a row): the server's time in ms
# when every answer said it, else None.
Operation = Callable[[aiohttp.ClientSession], Awaitable[float | None]]


@dataclass
class Load:
    latencies: list[float] = field(default_factory=list)  # seconds, measured requests only
    server_ms: list[float] = field(default_factory=list)  # Server-Timing of those requests
    requests: int = 0  # all of them, warm-up included (CPU is metered over both)
    elapsed: float = 0.0  # from the window's opening to the last measured answer
    errors: int = 0
    error_samples: list[str] = field(default_factory=list)

    def fail(self, message: str) -> None:
        self.errors += 1
        if len(self.error_samples) < KEPT_ERRORS:
            self.error_samples.append(message)


async def closed_loop(
    url: str, operation: Operation, clients: int, seconds: float, warmup: float
) -> Load:
    """A request counts when it started inside the measured window; those still running when
    it closes are waited for and counted too, so nothing is cut short."""
    now = time.monotonic()
    opens, closes = now + warmup, now + warmup + seconds
    load = Load()
    last_answer = opens
    timeout = aiohttp.ClientTimeout(total=60)

    async def worker() -> None:
        nonlocal last_answer
        connector = aiohttp.TCPConnector(limit=1)
        async with aiohttp.ClientSession(url, connector=connector, timeout=timeout) as http:
            while (started := time.monotonic()) < closes:
                load.requests += 1
                try:
                    server = await operation(http)
                except (Failure, aiohttp.ClientError, TimeoutError) as error:
                    load.fail(f"{type(error).__name__}: {error}")
                    continue
                finished = time.monotonic()
                if started >= opens:
                    load.latencies.append(finished - started)
                    if server is not None:
                        load.server_ms.append(server)
                    last_answer = max(last_answer, finished)

    await asyncio.gather(*(worker() for _ in range(clients)))
    load.elapsed = last_answer - opens
    return load


async def get(
    http: aiohttp.ClientSession, path: str, params: Sequence[tuple[str, str]] = ()
) -> float | None:
    """GET `path` (the whole answer read), its Server-Timing `app` duration in ms if any."""
    async with http.get(path, params=list(params)) as response:
        body = await response.read()
        if response.status != 200:
            raise Failure(f"GET {path}: HTTP {response.status} {body[:200]!r}")
        return server_ms(response.headers.get("server-timing", ""))


def server_ms(header: str) -> float | None:
    found = _APP_DURATION.search(header)
    return float(found.group(1)) if found else None
