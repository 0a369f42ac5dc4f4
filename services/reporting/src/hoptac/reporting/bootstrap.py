"""Wires the reporting service together: real adapters by default, anything else in tests."""

from __future__ import annotations

from prometheus_client import CollectorRegistry
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from hoptac.contracts.vietnam_time import vietnam_today
from hoptac.reporting.adapters.area_names import official_area_names
from hoptac.reporting.clock import Today
from hoptac.reporting.handlers import Reporting
from hoptac.reporting.settings import ReportingSettings


def engine_for(settings: ReportingSettings) -> AsyncEngine:
    return create_async_engine(
        settings.database_url,
        pool_size=settings.database_pool_size,
        pool_pre_ping=True,
        hide_parameters=True,  # no value of a failing statement in a log line
        # Statistics are short aggregates: compiling them (JIT) costs more than it saves.
        connect_args={"server_settings": {"jit": "off"}},
    )


def build_reporting(
    settings: ReportingSettings,
    today: Today = vietnam_today,
    metrics: CollectorRegistry | None = None,
) -> Reporting:
    return Reporting(
        engine_for(settings),
        today,
        metrics,
        settings.answer_cache_size,
        in_memory=settings.in_memory,
        memory_refresh_seconds=settings.memory_refresh_seconds,
        area_names=official_area_names(),
    )
