"""Wires collection together: real adapters by default, anything else in tests."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.ext.asyncio import create_async_engine

from hoptac.collection.adapters.registry import RegistryClient
from hoptac.collection.handlers import Clock, Collection, system_clock
from hoptac.collection.settings import CollectionSettings
from hoptac.platform.identity import Identity, RegistryIdentity
from hoptac.platform.json_columns import JSON_COLUMNS


def build_collection(
    settings: CollectionSettings,
    identity: Identity | None = None,
    registry: RegistryClient | None = None,
    clock: Clock = system_clock,
) -> Collection:
    engine = create_async_engine(
        settings.database_url,
        pool_size=settings.database_pool_size,
        pool_pre_ping=True,
        hide_parameters=True,  # no uploaded value of a failing statement in a log line
        **JSON_COLUMNS,  # a proposal's change and outcome, the audit's details, a batch's report
    )
    return Collection(
        engine,
        registry
        or RegistryClient(
            settings.registry_url,
            settings.registry_batch_rows,
            settings.registry_batches_in_flight,
        ),
        identity or RegistryIdentity(settings.registry_url, settings.token_cache_seconds),
        settings.limits(),
        clock,
        timedelta(seconds=settings.dry_run_reuse_seconds),
    )
