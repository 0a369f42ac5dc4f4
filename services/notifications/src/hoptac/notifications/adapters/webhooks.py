"""The delivery worker: claims due deliveries, POSTs them signed, records what happened.

Concurrency is bounded in total and per subscription, so a slow or failing receiver holds at
most its own few slots; its retries wait in the database, not in a worker. Each subscription has
its own HTTP client (connection pool): one shared pool serialises every request on its lock and
falls to a fraction of its speed beyond a handful of concurrent requests.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import httpx
from prometheus_client import CollectorRegistry, Counter, Histogram
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from hoptac.notifications.adapters import deliveries, subscriptions
from hoptac.notifications.adapters.deliveries import Attempt, Claimed
from hoptac.notifications.adapters.owners import OwnerCheck
from hoptac.notifications.adapters.resolver import Resolve, check_target, system_resolve
from hoptac.notifications.adapters.secret_box import SecretBox
from hoptac.notifications.domain.retry import Decision, RetryPolicy, decide, parse_retry_after
from hoptac.notifications.domain.signing import webhook_headers
from hoptac.notifications.domain.targets import TargetPolicy, TargetRefused
from hoptac.platform.text import Text

log = logging.getLogger("hoptac.notifications.webhooks")
USER_AGENT = "hoptac-webhooks/1"
MAX_ERROR_LENGTH = 500
RECHECK_SECONDS = 300.0
MAX_ANSWER_BYTES = 64 * 1024
MAX_CLIENTS = 1000  # idle subscriptions' pools beyond this are closed, oldest first


@dataclass(frozen=True)
class WorkerOptions:
    concurrency: int = 64
    per_subscription: int = 4
    poll_seconds: float = 0.5
    lease_seconds: float = 60.0


@dataclass(frozen=True)
class Checked:
    """Where a subscription's URL was last found to point: the address, or why it is refused."""

    address: str | None = None
    refused: Text | None = None


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


class DeliveryWorker:
    """`engine` is for delivery bookkeeping only; see `bootstrap.bookkeeping_engine`."""

    def __init__(
        self,
        engine: AsyncEngine,
        http: Callable[[], httpx.AsyncClient],
        policy: RetryPolicy,
        options: WorkerOptions,
        metrics: DeliveryMetrics,
        rng: random.Random | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        targets: TargetPolicy | None = None,
        *,
        secrets: SecretBox,
        resolve: Resolve = system_resolve,
        owners: OwnerCheck | None = None,
    ) -> None:
        self.engine = engine
        self.owners = owners
        self.secrets = secrets
        self.new_client = http
        self._clients: OrderedDict[UUID, httpx.AsyncClient] = OrderedDict()
        self._results: list[tuple[Claimed, Attempt, Decision, asyncio.Future[None]]] = []
        self._recorder: asyncio.Task[None] | None = None
        self._released_at = 0.0
        self.targets = targets
        self.resolve = resolve
        self._checked: dict[UUID, tuple[float, str, Checked]] = {}  # (when, url, verdict)
        self.policy = policy
        self.options = options
        self.metrics = metrics
        self.rng = rng or random.Random()
        self.clock = clock
        self.wake = asyncio.Event()
        self._in_flight: set[asyncio.Task[None]] = set()

    def poke(self) -> None:
        """New deliveries were committed: look now instead of at the next poll."""
        self.wake.set()

    async def run(self, stop: asyncio.Event) -> None:
        presence = await self._announce()
        try:
            await self._serve(stop)
        finally:
            with contextlib.suppress(Exception):
                await presence.close()

    async def _announce(self) -> AsyncConnection:
        """Hold a shared lock for as long as this worker lives; the first worker to find no
        other one alive takes back what dead workers had claimed, instead of waiting for their
        leases to run out. A killed worker's session ends with it, and so does its lock."""
        presence = await self.engine.connect()
        presence = await presence.execution_options(isolation_level="AUTOCOMMIT")
        await deliveries.recover_orphans(presence)
        return presence

    async def _serve(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            # Cleared before looking, so that a poke arriving while we look is not lost.
            self.wake.clear()
            try:
                found = await self.claim_and_send()
            except Exception:  # the database is away: keep the worker alive and try again
                log.exception("claiming deliveries failed; trying again")
                found = 0
            if found:
                continue
            waiters = [asyncio.ensure_future(self.wake.wait()), asyncio.ensure_future(stop.wait())]
            # Finished deliveries poke once their results are recorded: only then can the
            # next event of their organisations be claimed.
            await asyncio.wait(
                waiters, timeout=self.options.poll_seconds, return_when=asyncio.FIRST_COMPLETED
            )
            for waiter in waiters:
                waiter.cancel()
        if self._in_flight:
            await asyncio.wait(self._in_flight, timeout=self.options.lease_seconds)
        for client in self._clients.values():
            await client.aclose()
        self._clients.clear()
        if self.owners is not None:
            await self.owners.identity.close()

    async def _destination(self, delivery: Claimed) -> str | None:
        """The address to connect to, resolved and checked here (None: no policy, the URL as
        it is). The request goes to this very address: a name that resolves elsewhere the
        next time (DNS rebinding) cannot take it into the network. Checked again every few
        minutes per subscription, since the host may have moved since the URL was accepted."""
        if self.targets is None:
            return None
        now = time.monotonic()
        held = self._checked.get(delivery.subscription_id)
        if held is None or held[1] != delivery.url or now - held[0] >= RECHECK_SECONDS:
            try:
                found = Checked(
                    address=await check_target(delivery.url, self.targets, self.resolve)
                )
            except TargetRefused as refusal:
                found = Checked(refused=refusal.text)
            held = self._checked[delivery.subscription_id] = (now, delivery.url, found)
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
                self._in_flight.add(task)
                task.add_done_callback(self._in_flight.discard)
        self._clients.move_to_end(subscription_id)
        return client

    async def claim_and_send(self) -> int:
        room = self.options.concurrency - len(self._in_flight)
        if room <= 0:
            return 0
        async with self.engine.begin() as conn:
            now = time.monotonic()
            if now - self._released_at > self.options.poll_seconds:
                await deliveries.release_expired(conn)
                self._released_at = now
            claimed = await deliveries.claim(
                conn, room, self.options.per_subscription, self.options.lease_seconds
            )
        for delivery in await self._of_valid_owners(claimed):
            task = asyncio.create_task(self._deliver(delivery))
            self._in_flight.add(task)
            task.add_done_callback(self._in_flight.discard)
        return len(claimed)

    async def _of_valid_owners(self, claimed: list[Claimed]) -> list[Claimed]:
        """The claimed deliveries whose owners still hold their registry tokens. The others are
        put back unsent and their owners' subscriptions disabled."""
        if self.owners is None or not claimed:
            return claimed
        tokens = {c.owner: c.owner_token for c in claimed if c.owner_token is not None}
        revoked = await self.owners.revoked(tokens)
        if not revoked:
            return claimed
        async with self.engine.begin() as conn:
            await deliveries.unclaim(conn, [c for c in claimed if c.owner in revoked])
            stopped = await subscriptions.disable_revoked(conn, sorted(revoked))
        log.warning("disabled %d subscriptions of revoked owners %s", stopped, sorted(revoked))
        return [c for c in claimed if c.owner not in revoked]

    async def _deliver(self, delivery: Claimed) -> None:
        attempted_at = self.clock()
        if delivery.attempts == 0:
            lag = (attempted_at - delivery.created_at).total_seconds()
            self.metrics.first_attempt_lag.observe(max(lag, 0.0))
        body = delivery.payload.encode()
        secrets = tuple(self.secrets.open(secret) for secret in delivery.secrets)
        headers = webhook_headers(secrets, delivery.webhook_id, int(attempted_at.timestamp()), body)
        headers["user-agent"] = USER_AGENT
        status_code: int | None = None
        error: str | None = None
        retry_after: float | None = None
        started = time.perf_counter()
        try:
            url, extensions = pinned(delivery.url, await self._destination(delivery), headers)
            http = self._client_for(delivery.subscription_id)
            async with http.stream(
                "POST", url, content=body, headers=headers, extensions=extensions
            ) as r:
                status_code = r.status_code
                retry_after = parse_retry_after(r.headers.get("retry-after"), self.clock())
                if not 200 <= r.status_code < 300:
                    error = f"HTTP {r.status_code}"
                await _drain(r)
        except TargetRefused as refusal:
            error = f"target refused: {refusal}"
        except httpx.TimeoutException:
            error = "timed out"
        except httpx.HTTPError as failure:
            error = f"{type(failure).__name__}: {failure}"[:MAX_ERROR_LENGTH]
        duration = time.perf_counter() - started
        self.metrics.latency.observe(duration)
        decision: Decision = decide(
            self.policy, status_code, delivery.attempts + 1, self.clock(), self.rng, retry_after
        )
        self.metrics.outcomes.labels(decision.outcome.value).inc()
        attempt = Attempt(status_code, error, round(duration * 1000, 3))
        recorded = asyncio.get_running_loop().create_future()
        self._results.append((delivery, attempt, decision, recorded))
        if self._recorder is None or self._recorder.done():
            self._recorder = asyncio.create_task(self._record_results())
        await recorded

    async def _record_results(self) -> None:
        """Results that finish together are recorded in one transaction (group commit)."""
        while self._results:
            batch, self._results = self._results, []
            try:
                async with self.engine.begin() as conn:
                    await deliveries.record(conn, [(d, a, o) for d, a, o, _ in batch])
            except Exception:  # the leases run out and these are tried again: at least once
                log.exception("recording %d delivery results failed", len(batch))
            for *_, recorded in batch:
                if not recorded.done():
                    recorded.set_result(None)
            self.poke()  # the next event of these organisations may be due now


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
