"""What every service puts in front of its routes: per-client rate limits and security headers.

Limits are counted per process, in memory (`limits`' sliding-window counters): with N replicas
behind a load balancer a client gets up to N times the limit, which the settings account for.
A client is its bearer token when it sends one, else its address; failed authentications are
counted per address, so guessing tokens is slow whatever tokens are tried.
"""

from __future__ import annotations

import asyncio
import hashlib
import math
import time
from dataclasses import dataclass

from fastapi.responses import JSONResponse
from limits import RateLimitItem, parse
from limits.aio.storage import MemoryStorage
from limits.aio.strategies import SlidingWindowCounterRateLimiter
from starlette.datastructures import Headers, MutableHeaders
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from hoptac.platform.error_answers import TextHTTPException, error_response
from hoptac.platform.text import Quantity, Text

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
OPERATIONS = frozenset({"/healthz", "/readyz", "/metrics"})

# The usual headers for a JSON API. /docs and /redoc load Swagger UI and ReDoc, which a
# `default-src 'none'` policy would blank; they get the headers without it.
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
}
API_CSP = "default-src 'none'; frame-ancestors 'none'"
DOCUMENTATION = ("/docs", "/redoc")


@dataclass(frozen=True)
class RateLimits:
    """Limits as `limits` writes them ("600/minute"); each is per client. `exempt` addresses
    (the portal's, which serves many readers and limits them itself) are not counted."""

    reads: str
    writes: str
    auth_failures: str
    exempt: frozenset[str] = frozenset()

    def items(self) -> tuple[RateLimitItem, RateLimitItem, RateLimitItem]:
        return parse(self.reads), parse(self.writes), parse(self.auth_failures)


@dataclass(frozen=True)
class HttpGuard:
    rate_limits: RateLimits | None = None
    metrics_token: str | None = None


def client_of(scope: Scope) -> str:
    client = scope.get("client")
    return client[0] if client else "unknown"


def _too_many(scope: Scope, message: Text, retry_after: int, limit: RateLimitItem) -> JSONResponse:
    return error_response(
        Request(scope),
        429,
        "rate_limited",
        message,
        headers={
            "Retry-After": str(retry_after),
            "RateLimit-Limit": str(limit.amount),
            "RateLimit-Remaining": "0",
            "RateLimit-Reset": str(retry_after),
        },
    )


class RateLimit:
    """429 with Retry-After and the RateLimit-* headers once a client is over its limit."""

    def __init__(self, app: ASGIApp, limits: RateLimits) -> None:
        self.app = app
        self.reads, self.writes, self.failures = limits.items()
        self.exempt = limits.exempt
        self.limiter = SlidingWindowCounterRateLimiter(MemoryStorage())

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        address = client_of(scope) if scope["type"] == "http" else ""
        if scope["type"] != "http" or scope["path"] in OPERATIONS or address in self.exempt:
            await self.app(scope, receive, send)
            return
        authorization = Headers(scope=scope).get("authorization")
        if authorization is not None and not await self.limiter.test(
            self.failures, "auth-failures", address
        ):
            wait = await self._wait(self.failures, "auth-failures", address)
            response = _too_many(
                scope,
                Text("http.too_many_failed_authentications", address=address, seconds=wait),
                wait,
                self.failures,
            )
            await response(scope, receive, send)
            return
        item = self.reads if scope["method"] in SAFE_METHODS else self.writes
        kind = "reads" if item is self.reads else "writes"
        who = (
            "token:" + hashlib.sha256(authorization.encode("latin-1")).hexdigest()[:32]
            if authorization
            else "address:" + address
        )
        if not await self.limiter.hit(item, kind, who):
            wait = await self._wait(item, kind, who)
            counts = {"limit": item.amount, "window": item.get_expiry(), "seconds": wait}
            over = (
                Text("http.over_read_limit", **counts)
                if item is self.reads
                else Text("http.over_write_limit", **counts)
            )
            response = _too_many(scope, over, wait, item)
            await response(scope, receive, send)
            return
        stats = await self.limiter.get_window_stats(item, kind, who)

        async def annotated_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers["RateLimit-Limit"] = str(item.amount)
                headers["RateLimit-Remaining"] = str(stats.remaining)
                headers["RateLimit-Reset"] = str(max(0, math.ceil(stats.reset_time - time.time())))
                if message["status"] == 401:
                    await self.limiter.hit(self.failures, "auth-failures", address)
            await send(message)

        await self.app(scope, receive, annotated_send)

    async def _wait(self, item: RateLimitItem, *identifiers: str) -> int:
        stats = await self.limiter.get_window_stats(item, *identifiers)
        return max(1, math.ceil(stats.reset_time - time.time()))


class SecurityHeaders:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        documentation = scope["path"].startswith(DOCUMENTATION)

        async def secured_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS.items():
                    headers.setdefault(name, value)
                if not documentation:
                    headers.setdefault("Content-Security-Policy", API_CSP)
            await send(message)

        await self.app(scope, receive, secured_send)


MAX_HEADERS = 100
MAX_HEADER_BYTES = 32 * 1024
BODY_IDLE_SECONDS = 30.0


class RequestShape:
    """Requests no client needs: over 100 headers or 32 KiB of them (431), or a body that stalls
    for 30 s between two chunks (408) instead of holding a connection for minutes. A reverse
    proxy in front (deploy/nginx) stops slow headers before they reach the process."""

    def __init__(
        self,
        app: ASGIApp,
        max_headers: int = MAX_HEADERS,
        max_header_bytes: int = MAX_HEADER_BYTES,
        body_idle_seconds: float = BODY_IDLE_SECONDS,
    ) -> None:
        self.app = app
        self.max_headers = max_headers
        self.max_header_bytes = max_header_bytes
        self.body_idle_seconds = body_idle_seconds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = scope.get("headers") or []
        size = sum(len(name) + len(value) for name, value in headers)
        if len(headers) > self.max_headers or size > self.max_header_bytes:
            response = error_response(
                Request(scope),
                431,
                "headers_too_large",
                Text(
                    "http.headers_too_large",
                    count=self.max_headers,
                    size=Quantity(self.max_header_bytes),
                ),
            )
            await response(scope, receive, send)
            return

        async def timed_receive() -> Message:
            try:
                return await asyncio.wait_for(receive(), self.body_idle_seconds)
            except TimeoutError:
                raise TextHTTPException(
                    408, Text("http.body_stalled", seconds=f"{self.body_idle_seconds:.0f}")
                ) from None

        await self.app(scope, timed_receive, send)
