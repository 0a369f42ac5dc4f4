"""Webhook requests: a signed body POSTed to a subscription's URL, at the address checked for it.

Each subscription has its own HTTP client (connection pool): one shared pool serialises every
request on its lock and falls to a fraction of its speed beyond a handful of concurrent
requests. The delivery loop that decides what to send and records what happened is
`hoptac.notifications.delivering`.
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import httpx
from prometheus_client import CollectorRegistry, Counter, Histogram

from hoptac.notifications.adapters.resolver import Resolve, check_target, system_resolve
from hoptac.notifications.domain.targets import TargetPolicy, TargetRefused
from hoptac.platform.text import Text

USER_AGENT = "hoptac-webhooks/1"
MAX_ERROR_LENGTH = 500
RECHECK_SECONDS = 300.0
MAX_ANSWER_BYTES = 64 * 1024
MAX_CLIENTS = 1000  # idle subscriptions' pools beyond this are closed, oldest first


class DeliveryMetrics:
    def __init__(self, registry: CollectorRegistry | None) -> None:
        self.outcomes = Counter(
            "hoptac_webhook_deliveries",
            "Webhook delivery attempts by outcome (delivered, retry, failed, gone)",
            ["outcome"],
            registry=registry,
        )
        self.latency = Histogram(
            "hoptac_webhook_attempt_seconds",
            "Duration of one webhook POST",
            registry=registry,
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
        )
        self.first_attempt_lag = Histogram(
            "hoptac_webhook_first_attempt_lag_seconds",
            "From a delivery's creation (the event stored) to its first attempt",
            registry=registry,
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 60),
        )


@dataclass(frozen=True)
class Checked:
    """Where a subscription's URL was last found to point: the address, or why it is refused."""

    address: str | None = None
    refused: Text | None = None


@dataclass(frozen=True)
class Answer:
    """What became of one POST: the receiver's status, or why there was none."""

    status_code: int | None
    error: str | None
    retry_after: str | None  # the receiver's Retry-After header, as it came
    seconds: float


class WebhookPoster:
    """`targets` None: no policy, every URL is requested as it is (tests of the loop alone)."""

    def __init__(
        self,
        new_client: Callable[[], httpx.AsyncClient],
        targets: TargetPolicy | None,
        resolve: Resolve = system_resolve,
    ) -> None:
        self.new_client = new_client
        self.targets = targets
        self.resolve = resolve
        self._clients: OrderedDict[UUID, httpx.AsyncClient] = OrderedDict()
        self._checked: dict[UUID, tuple[float, str, Checked]] = {}  # (when, url, verdict)
        self._closing: set[asyncio.Task[None]] = set()

    async def post(
        self, subscription_id: UUID, url: str, body: bytes, headers: dict[str, str]
    ) -> Answer:
        headers = {**headers, "user-agent": USER_AGENT}
        status_code: int | None = None
        error: str | None = None
        retry_after: str | None = None
        started = time.perf_counter()
        try:
            target, extensions = pinned(url, await self._destination(subscription_id, url), headers)
            http = self._client_for(subscription_id)
            async with http.stream(
                "POST", target, content=body, headers=headers, extensions=extensions
            ) as r:
                status_code = r.status_code
                retry_after = r.headers.get("retry-after")
                if not 200 <= r.status_code < 300:
                    error = f"HTTP {r.status_code}"
                await _drain(r)
        except TargetRefused as refusal:
            error = f"target refused: {refusal}"
        except httpx.TimeoutException:
            error = "timed out"
        except httpx.HTTPError as failure:
            error = f"{type(failure).__name__}: {failure}"[:MAX_ERROR_LENGTH]
        return Answer(status_code, error, retry_after, time.perf_counter() - started)

    async def close(self) -> None:
        if self._closing:
            await asyncio.wait(self._closing)
        for client in self._clients.values():
            await client.aclose()
        self._clients.clear()

    async def _destination(self, subscription_id: UUID, url: str) -> str | None:
        """The address to connect to, resolved and checked here (None: no policy, the URL as
        it is). The request goes to this very address: a name that resolves elsewhere the
        next time (DNS rebinding) cannot take it into the network. Checked again every few
        minutes per subscription, since the host may have moved since the URL was accepted."""
        if self.targets is None:
            return None
        now = time.monotonic()
        held = self._checked.get(subscription_id)
        if held is None or held[1] != url or now - held[0] >= RECHECK_SECONDS:
            try:
                found = Checked(address=await check_target(url, self.targets, self.resolve))
            except TargetRefused as refusal:
                found = Checked(refused=refusal.text)
            held = self._checked[subscription_id] = (now, url, found)
        if held[2].refused is not None:
            raise TargetRefused(held[2].refused)  # a new one: a raised exception keeps its frames
        return held[2].address

    def _client_for(self, subscription_id: UUID) -> httpx.AsyncClient:
        client = self._clients.get(subscription_id)
        if client is None:
            client = self._clients[subscription_id] = self.new_client()
            if len(self._clients) > MAX_CLIENTS:
                _, oldest = self._clients.popitem(last=False)
                task = asyncio.create_task(oldest.aclose())  # in-flight requests finish first
                self._closing.add(task)
                task.add_done_callback(self._closing.discard)
        self._clients.move_to_end(subscription_id)
        return client


def pinned(
    url: str, address: str | None, headers: dict[str, str]
) -> tuple[httpx.URL, dict[str, Any]]:
    """The request URL with its host replaced by the checked address; the Host header and the
    TLS server name (SNI, and the name the certificate is verified against) stay the original
    host's. Adds the Host header to `headers`."""
    original = httpx.URL(url)
    if address is None:
        return original, {}
    headers["host"] = original.netloc.decode("ascii")
    extensions: dict[str, Any] = {}
    if original.scheme == "https":
        extensions["sni_hostname"] = original.raw_host.decode("ascii")
    return original.copy_with(host=address), extensions


async def _drain(response: httpx.Response) -> None:
    """Read a short answer to its end so that the connection goes back to the pool (an unread
    one is closed); stop reading, and lose the connection, after MAX_ANSWER_BYTES."""
    seen = 0
    async for chunk in response.aiter_raw():
        seen += len(chunk)
        if seen > MAX_ANSWER_BYTES:
            return
