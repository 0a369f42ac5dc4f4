"""Wires the notifications service together: real adapters by default, others in tests."""

from __future__ import annotations

import functools
import random
import ssl
from collections.abc import Callable
from datetime import timedelta

import certifi
import httpx
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from hoptac.notifications.adapters.owners import OwnerCheck
from hoptac.notifications.adapters.resolver import Resolve, system_resolve
from hoptac.notifications.adapters.secret_box import SecretBox, local_key, parse_keys
from hoptac.notifications.adapters.webhooks import DeliveryMetrics, WebhookPoster
from hoptac.notifications.delivering import DeliveryWorker, WorkerOptions
from hoptac.notifications.domain.retry import RetryPolicy
from hoptac.notifications.domain.targets import TargetPolicy
from hoptac.notifications.handlers import Limits, Notifications
from hoptac.notifications.settings import NotificationsSettings
from hoptac.platform.identity import Identity, RegistryIdentity


def engine_for(settings: NotificationsSettings) -> AsyncEngine:
    # hide_parameters: an unexpected database error is logged without the values bound to it
    # (sealed signing secrets, owners' tokens).
    return create_async_engine(
        settings.database_url,
        pool_size=settings.database_pool_size,
        pool_pre_ping=True,
        hide_parameters=True,
    )


def bookkeeping_engine(settings: NotificationsSettings) -> AsyncEngine:
    """For the delivery worker's claims and results only: a pool of its own, so that they never
    wait behind the consumer's transactions. Its commits are durable (the default
    synchronous_commit): a claim logs its attempt before the request leaves, and a result
    that was recorded stays recorded, so a crash re-sends only what was in flight."""
    return create_async_engine(
        settings.database_url,
        pool_size=settings.database_pool_size,
        pool_pre_ping=True,
        hide_parameters=True,
    )


def target_policy(settings: NotificationsSettings) -> TargetPolicy:
    return TargetPolicy(
        allow_loopback=settings.allow_loopback_targets,
        allow_private=settings.allow_private_targets,
    )


def retry_policy(settings: NotificationsSettings) -> RetryPolicy:
    return RetryPolicy(
        first_delay=settings.retry_first_delay_seconds,
        multiplier=settings.retry_multiplier,
        max_delay=settings.retry_max_delay_seconds,
        attempts=settings.retry_attempts,
        jitter=settings.retry_jitter,
        retry_after_max=settings.retry_after_max_seconds,
    )


def secret_box(settings: NotificationsSettings) -> SecretBox:
    def keys() -> list[str]:
        if settings.secret_keys is not None:
            return parse_keys(settings.secret_keys.get_secret_value())
        return [local_key(settings.var_dir / "notifications-secret-key")]

    return SecretBox(keys)


def build_notifications(
    settings: NotificationsSettings,
    identity: Identity | None = None,
    engine: AsyncEngine | None = None,
) -> Notifications:
    return Notifications(
        engine or engine_for(settings),
        identity or RegistryIdentity(settings.registry_url, settings.token_cache_seconds),
        target_policy(settings),
        timedelta(seconds=settings.secret_overlap_seconds),
        secret_box(settings),
        Limits(
            subscriptions=settings.max_subscriptions_per_agency,
            replays_per_hour=settings.replays_per_hour,
            replay_events=settings.replay_max_events,
        ),
    )


@functools.cache
def tls_context() -> ssl.SSLContext:
    """One for every subscription's client: loading the CA bundle costs ~40 ms each time."""
    return ssl.create_default_context(cafile=certifi.where())


def webhook_client(settings: NotificationsSettings) -> httpx.AsyncClient:
    """One subscription's client. No redirects: a receiver must not bounce a signed event to an
    address we would refuse."""
    return httpx.AsyncClient(
        verify=tls_context(),
        timeout=settings.delivery_timeout_seconds,
        follow_redirects=False,
        limits=httpx.Limits(
            max_connections=settings.delivery_per_subscription,
            max_keepalive_connections=settings.delivery_per_subscription,
        ),
    )


def build_delivery_worker(
    settings: NotificationsSettings,
    engine: AsyncEngine,
    metrics: DeliveryMetrics,
    rng: random.Random | None = None,
    identity: Identity | None = None,
    resolve: Resolve = system_resolve,
    new_client: Callable[[], httpx.AsyncClient] | None = None,
) -> DeliveryWorker:
    """`identity`: who owns a token (default: the registry), for the owner check; `resolve`
    and `new_client`: a host's addresses and a subscription's HTTP client (tests replace them)."""
    secrets = secret_box(settings)
    owners = OwnerCheck(
        identity or RegistryIdentity(settings.registry_url, cache_seconds=0),
        secrets,
        settings.owner_check_seconds,
    )
    poster = WebhookPoster(
        new_client or (lambda: webhook_client(settings)), target_policy(settings), resolve
    )
    return DeliveryWorker(
        engine,
        poster,
        retry_policy(settings),
        WorkerOptions(
            concurrency=settings.delivery_concurrency,
            per_subscription=settings.delivery_per_subscription,
            poll_seconds=settings.delivery_poll_seconds,
            lease_seconds=settings.delivery_lease_seconds,
        ),
        metrics,
        rng,
        secrets=secrets,
        owners=owners,
    )
