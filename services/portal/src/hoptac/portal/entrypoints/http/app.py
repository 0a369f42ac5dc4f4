"""The portal ASGI app: `uvicorn --factory hoptac.portal.entrypoints.http.app:create_app`."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from prometheus_client import CollectorRegistry
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.gzip import GZipMiddleware

from hoptac.contracts.vietnam_time import vietnam_today
from hoptac.platform.http import install_defaults
from hoptac.portal.adapters.backends import Backends
from hoptac.portal.adapters.library import LibraryBackends
from hoptac.portal.adapters.recent_answers import VersionedAnswers
from hoptac.portal.adapters.staff import StaffRegistry
from hoptac.portal.adapters.staff_collection import StaffCollection
from hoptac.portal.adapters.staff_library import StaffLibrary
from hoptac.portal.bootstrap import build_backends, build_library, build_pages
from hoptac.portal.clock import Today
from hoptac.portal.entrypoints.http import area_map, organizations, search, site, statistics
from hoptac.portal.entrypoints.http import library as library_pages
from hoptac.portal.entrypoints.http.assets import mount_assets
from hoptac.portal.entrypoints.http.errors import on_http_error, on_unexpected_error
from hoptac.portal.entrypoints.http.rendering import Pages
from hoptac.portal.entrypoints.http.security import SecurityHeaders
from hoptac.portal.entrypoints.http.server_timing import ServerTiming
from hoptac.portal.entrypoints.http.workspace.imports import IMPORTS
from hoptac.portal.entrypoints.http.workspace.install import (
    install_workspace,
    staff_collection,
    staff_library,
    staff_registry,
    upload_limits,
)
from hoptac.portal.settings import PortalSettings


def create_app(
    settings: PortalSettings | None = None,
    backends: Backends | None = None,
    pages: Pages | None = None,
    today: Today = vietnam_today,
    staff: StaffRegistry | None = None,
    library: LibraryBackends | None = None,
    collection: StaffCollection | None = None,
    library_staff: StaffLibrary | None = None,
) -> FastAPI:
    settings = settings or PortalSettings()
    backends = backends or build_backends(settings)
    staff = staff or staff_registry(settings)
    library = library or build_library(settings)
    collection = collection or staff_collection(settings)
    library_staff = library_staff or staff_library(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        try:
            yield
        finally:
            await backends.close()
            await staff.close()
            await library.close()
            await collection.close()
            await library_staff.close()

    app = FastAPI(
        title="hoptac portal",
        version="1",
        description="The public site: pages in Vietnamese and English. Its data comes from the "
        "search, reporting and registry APIs, whose documentation is at their own /docs.",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.backends = backends
    app.state.library = library
    app.state.pages = pages or build_pages()
    app.state.today = today
    app.state.kept_profiles = VersionedAnswers(settings.history_cache_size)

    async def ready() -> None:
        """The portal serves as soon as it runs: a backend that is down costs one part of a
        page, which says so, never the whole site."""

    install_defaults(
        app,
        "portal",
        CollectorRegistry(),
        ready,
        settings.max_body_bytes,
        guard=settings.http_guard(),  # each reader's address gets its own request budget
        # A survey file is a file plus its multipart envelope.
        larger_bodies={IMPORTS: settings.import_max_bytes + 64_000, **upload_limits(settings)},
    )
    app.add_exception_handler(StarletteHTTPException, on_http_error)
    app.add_exception_handler(Exception, on_unexpected_error)
    # zlib's default level: Starlette's 9 took a third more CPU for 2 % smaller pages
    app.add_middleware(GZipMiddleware, minimum_size=1000, compresslevel=6)
    app.add_middleware(SecurityHeaders)  # outside the platform's: its headers are the last word
    app.add_middleware(ServerTiming)  # outermost, so that it counts every other layer
    mount_assets(app, settings.node_modules)
    for module in (site, search, organizations, statistics, area_map, library_pages):
        app.include_router(module.router)
    install_workspace(app, settings, staff, collection, library_staff)
    return app
