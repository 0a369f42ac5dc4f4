"""The delivery loop: claims due deliveries, sends them signed, records what happened.

Concurrency is bounded in total and per subscription, so a slow or failing receiver holds at
most its own few slots; its retries wait in the database, not in a worker. The requests
themselves are the webhook adapter's (`adapters/webhooks.py`); the rows, the deliveries
adapter's; when to try again, the domain's `retry` policy.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from hoptac.notifications.adapters import deliveries, subscriptions
from hoptac.notifications.adapters.deliveries import Attempt, Claimed
from hoptac.notifications.adapters.owners import OwnerCheck
from hoptac.notifications.adapters.secret_box import SecretBox
from hoptac.notifications.adapters.webhooks import DeliveryMetrics, WebhookPoster
from hoptac.notifications.domain.retry import Decision, RetryPolicy, decide, parse_retry_after
from hoptac.notifications.domain.signing import webhook_headers

log = logging.getLogger("hoptac.notifications.webhooks")


@dataclass(frozen=True)
class WorkerOptions:
    concurrency: int = 64
    per_subscription: int = 4
    poll_seconds: float = 0.5
    lease_seconds: float = 60.0


class DeliveryWorker:
    """`engine` is for delivery bookkeeping only; see `bootstrap.bookkeeping_engine`."""

    def __init__(
        self,
        engine: AsyncEngine,
        poster: WebhookPoster,
        policy: RetryPolicy,
        options: WorkerOptions,
        metrics: DeliveryMetrics,
        rng: random.Random | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        *,
        secrets: SecretBox,
        owners: OwnerCheck | None = None,
    ) -> None:
        self.engine = engine
        self.poster = poster
        self.owners = owners
        self.secrets = secrets
        self._results: list[tuple[Claimed, Attempt, Decision, asyncio.Future[None]]] = []
        self._recorder: asyncio.Task[None] | None = None
        self._released_at = 0.0
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
        await self.poster.close()
        if self.owners is not None:
            await self.owners.identity.close()

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
        answer = await self.poster.post(delivery.subscription_id, delivery.url, body, headers)
        self.metrics.latency.observe(answer.seconds)
        now = self.clock()
        decision: Decision = decide(
            self.policy,
            answer.status_code,
            delivery.attempts + 1,
            now,
            self.rng,
            parse_retry_after(answer.retry_after, now),
        )
        self.metrics.outcomes.labels(decision.outcome.value).inc()
        attempt = Attempt(answer.status_code, answer.error, round(answer.seconds * 1000, 3))
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
