"""Wires the portal together: real backends by default, anything else in tests."""

from __future__ import annotations

from hoptac.portal.adapters.areas import load_area_names
from hoptac.portal.adapters.backends import Backend, Backends
from hoptac.portal.adapters.catalogue import load_catalogue
from hoptac.portal.adapters.library import LibraryBackends
from hoptac.portal.adapters.recent_answers import RecentAnswers
from hoptac.portal.entrypoints.http.rendering import Pages
from hoptac.portal.settings import PortalSettings

ASSETS_VERSION = "4"  # raise when a served asset changes, so browsers fetch it again


def build_backends(settings: PortalSettings) -> Backends:
    timeout = settings.backend_timeout
    return Backends(
        Backend("search", settings.search_url, timeout),
        Backend("reporting", settings.reporting_url, timeout),
        Backend("registry", settings.registry_url, timeout),
        search_seconds=settings.search_cache_seconds,
        search_stale_seconds=settings.search_stale_seconds,
        histories=settings.history_cache_size,
    )


def build_library(settings: PortalSettings) -> LibraryBackends:
    timeout = settings.backend_timeout
    return LibraryBackends(
        Backend("search", settings.search_url, timeout),
        Backend("library", settings.library_url, timeout),
        RecentAnswers(settings.library_cache_seconds),
    )


def build_pages() -> Pages:
    return Pages(load_catalogue(), load_area_names(), ASSETS_VERSION)
