"""How the portal's backends are called: one GET, its answer read whole.

aiohttp, not httpx: a profile page's calls beneath it spent most of the portal's CPU for that
page in httpx and httpcore (building the request and URL, checking the pooled connection,
anyio's stream), and aiohttp costs about a third of that per call. The workspace's writes,
which are few, keep httpx. Tests put a transport in memory in its place.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

import aiohttp

Params = Sequence[tuple[str, str]]


class TransportError(Exception):
    """The backend could not be reached, or did not answer in time; the message says how."""


@dataclass(frozen=True)
class Answer:
    status: int
    content: bytes
    headers: Mapping[str, str]  # names in any case


class Transport(Protocol):
    async def get(self, path: str, params: Params, headers: Mapping[str, str]) -> Answer: ...

    async def close(self) -> None: ...


class AiohttpTransport:
    def __init__(self, base_url: str, timeout: float) -> None:
        self.base_url = base_url
        self.timeout = aiohttp.ClientTimeout(total=timeout)
        self._session: aiohttp.ClientSession | None = None

    async def get(self, path: str, params: Params, headers: Mapping[str, str]) -> Answer:
        if self._session is None:  # made inside the event loop, on first use
            self._session = aiohttp.ClientSession(self.base_url, timeout=self.timeout)
        try:
            async with self._session.get(path, params=list(params), headers=headers) as response:
                return Answer(response.status, await response.read(), response.headers)
        except (aiohttp.ClientError, TimeoutError) as error:
            raise TransportError(type(error).__name__) from error

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
