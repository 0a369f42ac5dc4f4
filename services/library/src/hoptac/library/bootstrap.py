"""Wires the library together: real adapters by default, anything else in tests."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from hoptac.library.adapters.register_rules import RegisterRules, RegistryRules
from hoptac.library.domain.files import Limits
from hoptac.library.handlers import Library
from hoptac.library.settings import LibrarySettings


def engine_for(settings: LibrarySettings) -> AsyncEngine:
    return create_async_engine(
        settings.database_url,
        pool_size=settings.database_pool_size,
        pool_pre_ping=True,
        hide_parameters=True,  # no file bytes or values of a failing statement in a log line
    )


def build_library(settings: LibrarySettings, rules: RegisterRules | None = None) -> Library:
    return Library(
        engine_for(settings),
        Limits(settings.max_file_bytes, settings.max_unpacked_bytes),
        rules or RegistryRules(settings.registry_url),
    )
