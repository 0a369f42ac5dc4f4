"""Who holds a token: the registry answers (`GET /v1/whoami`); answers are kept a few seconds.

Every service that authenticates staff by their registry token (notifications, collection) asks
through this one client, so a token means the same everywhere and no service reads the
registry's database."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from typing import Protocol

import httpx

# What a bearer token may look like (RFC 6750's b64token, bounded): anything else is refused
# before the registry is asked.
TOKEN_SHAPE = re.compile(r"[A-Za-z0-9\-._~+/]{1,512}=*")


@dataclass(frozen=True)
class Caller:
    name: str  # the token's name: the identity of a person or an agency
    role: str
    provinces: tuple[str, ...] = ()
    communes: tuple[str, ...] = ()
    # The bearer token it was recognised by (set by the service that authenticated it).
    token: str = field(default="", repr=False, compare=False)


class IdentityUnavailable(RuntimeError):
    """The registry could not be asked; the caller should try again shortly."""


class Identity(Protocol):
    async def who(self, token: str) -> Caller | None: ...

    async def close(self) -> None: ...


class RegistryIdentity:
    def __init__(
        self,
        registry_url: str,
        cache_seconds: float = 5.0,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.http = httpx.AsyncClient(
            base_url=registry_url.rstrip("/"), timeout=5.0, transport=transport
        )
        self.cache_seconds = cache_seconds
        self._known: dict[str, tuple[float, Caller | None]] = {}

    async def who(self, token: str) -> Caller | None:
        now = time.monotonic()
        held = self._known.get(token)
        if held is not None and now - held[0] < self.cache_seconds:
            return held[1]
        try:
            response = await self.http.get(
                "/v1/whoami", headers={"Authorization": f"Bearer {token}"}
            )
        except httpx.HTTPError as error:
            raise IdentityUnavailable(f"the registry cannot be reached: {error}") from error
        if response.status_code == 401:
            caller = None
        elif response.status_code == 200:
            body = response.json()
            caller = Caller(
                name=body["name"],
                role=body["role"],
                provinces=tuple(body.get("provinces") or ()),
                communes=tuple(body.get("communes") or ()),
            )
        else:
            raise IdentityUnavailable(f"the registry answered {response.status_code} to /v1/whoami")
        if len(self._known) > 10_000:
            self._known.clear()
        self._known[token] = (now, caller)
        return caller

    async def close(self) -> None:
        await self.http.aclose()


class StaticIdentity:
    """Tokens known in advance (tests, benchmarks)."""

    def __init__(self, callers: dict[str, Caller]) -> None:
        self.callers = callers

    async def who(self, token: str) -> Caller | None:
        return self.callers.get(token)

    async def close(self) -> None:
        return None
