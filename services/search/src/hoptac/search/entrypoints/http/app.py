"""The search service's ASGI app: `uvicorn --factory hoptac.search.entrypoints.http.app:create_app`.

One process answers HTTP while the stream consumer, in the same process and event loop, owns
the index writer (tantivy allows one writer per index); with tantivy the searches themselves
run in reader processes it starts (`search_processes`, adapters/tantivy_readers.py)."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.responses import Response
from fastapi_offline import FastAPIOffline
from prometheus_client import CollectorRegistry, Gauge, Histogram

from hoptac.platform.error_answers import invalid_query_response
from hoptac.platform.http import install_defaults
from hoptac.platform.startup_memory import freeze_startup_objects
from hoptac.search.adapters.port import SearchIndex
from hoptac.search.bootstrap import build_index, build_library_index, place_finder
from hoptac.search.domain.query import InvalidQuery
from hoptac.search.entrypoints.background import Background
from hoptac.search.entrypoints.http import library_routes, routes
from hoptac.search.entrypoints.http.fast import FastPaths
from hoptac.search.entrypoints.library_feed import LibraryFeed
from hoptac.search.handlers import Projection
from hoptac.search.settings import SearchSettings


async def on_invalid_query(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, InvalidQuery)
    return invalid_query_response(request, exc.problems)


def create_app(settings: SearchSettings | None = None, index: SearchIndex | None = None) -> FastAPI:
    settings = settings or SearchSettings()
    metrics = CollectorRegistry()
    documents = Gauge("hoptac_search_documents", "Live documents in the index", registry=metrics)
    sequence = Gauge(
        "hoptac_search_last_sequence",
        "The registry change-log sequence the index has applied up to",
        registry=metrics,
    )
    query_seconds = Histogram(
        "hoptac_search_query_seconds",
        "Time the index takes to answer, by endpoint",
        ["endpoint"],
        buckets=(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1),
        registry=metrics,
    )

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if not settings.access_log:  # uvicorn's per-request lines, in this process only
            logging.getLogger("uvicorn.access").setLevel(logging.WARNING)
        search_index = index or build_index(settings)
        await search_index.prepare()
        background = Background(settings, Projection(search_index), metrics)
        app.state.index = search_index
        app.state.places = place_finder()
        app.state.background = background
        await background.start()
        app.state.library_index = build_library_index(settings)
        await app.state.library_index.prepare()
        library = LibraryFeed(settings, app.state.library_index, metrics)
        app.state.library_feed = library
        await library.start()
        freeze_startup_objects()  # the units, places and models: out of every full collection
        try:
            yield
        finally:
            await library.stop()
            await app.state.library_index.close()
            await background.stop()
            await search_index.close()

    app = FastAPIOffline(  # /docs and /redoc from local files, not a CDN
        title="hoptac search",
        version="1",
        description="Search the register of cooperatives the way people type Vietnamese: with or "
        "without diacritics, abbreviations (HTX, QTDND, …), typos; filters and facet counts.",
        lifespan=lifespan,
    )
    app.state.query_seconds = query_seconds

    async def ready() -> None:
        await app.state.index.ready()
        app.state.background.check_ready()
        app.state.library_feed.check_ready()

    async def refresh() -> None:
        search_index: SearchIndex = app.state.index
        documents.set(await search_index.count())
        sequence.set(await search_index.last_sequence())
        await app.state.background.lag()  # sets hoptac_consumer_lag
        await app.state.library_feed.lag()

    # Added first, so it runs inside the request metrics and the body limit of install_defaults
    app.add_middleware(FastPaths, routes=routes.router.routes)
    install_defaults(
        app, "search", metrics, ready, settings.max_body_bytes, refresh, guard=settings.http_guard()
    )
    app.add_exception_handler(InvalidQuery, on_invalid_query)
    app.include_router(routes.router)
    app.include_router(library_routes.router)
    return app
