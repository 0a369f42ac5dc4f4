"""Wires the registry together: real adapters by default, anything else in tests."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from hoptac.platform.json_columns import JSON_COLUMNS
from hoptac.registry.adapters.admin_units import official_units
from hoptac.registry.clock import Clock, system_clock
from hoptac.registry.domain.validation import ReferenceData
from hoptac.registry.domain.vsic import VsicCatalog
from hoptac.registry.handlers import Registry
from hoptac.registry.settings import RegistrySettings


def reference_data() -> ReferenceData:
    return ReferenceData(units=official_units(), vsic=VsicCatalog.official())


def engine_for(settings: RegistrySettings) -> AsyncEngine:
    return create_async_engine(
        settings.database_url,
        pool_size=settings.database_pool_size,
        pool_pre_ping=True,
        hide_parameters=True,  # no value of a failing statement in a log line
        **JSON_COLUMNS,  # four JSON values a change: its record, changes, event and audit
    )


def build_registry(
    settings: RegistrySettings, clock: Clock = system_clock, reference: ReferenceData | None = None
) -> Registry:
    return Registry(
        engine_for(settings),
        reference or reference_data(),
        clock,
        similar_name_threshold=settings.similar_name_threshold,
        max_event_bytes=settings.max_event_bytes,
    )
