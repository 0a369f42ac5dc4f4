"""The reporting ASGI app: `uvicorn --factory hoptac.reporting.entrypoints.http.app:create_app`."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from fastapi_offline import FastAPIOffline
from prometheus_client import CollectorRegistry, Gauge
from sqlalchemy import text

from hoptac.platform.error_answers import invalid_query_response
from hoptac.platform.http import install_defaults
from hoptac.platform.startup_memory import freeze_startup_objects
from hoptac.reporting.bootstrap import build_reporting
from hoptac.reporting.domain.stats import InvalidQuery
from hoptac.reporting.entrypoints.consumer import consumer_host, gap_filler
from hoptac.reporting.entrypoints.http import indicators, reports, stats
from hoptac.reporting.handlers import Metrics, Reporting
from hoptac.reporting.settings import ReportingSettings


async def on_invalid_query(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, InvalidQuery)
    return invalid_query_response(request, exc.problems)


def create_app(
    settings: ReportingSettings | None = None, reporting: Reporting | None = None
) -> FastAPI:
    settings = settings or ReportingSettings()
    metrics = CollectorRegistry()
    service = reporting or build_reporting(settings)
    service.metrics = Metrics(metrics)  # query latency and commit-to-counted on this /metrics
    consumer = consumer_host(service, settings, metrics) if settings.consume else None
    gaps = gap_filler(service, settings, metrics) if settings.consume else None

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        stopping = asyncio.Event()
        filling = asyncio.create_task(gaps.run(stopping)) if gaps is not None else None
        if consumer is not None:
            await consumer.start()
        service.refresh_columns_soon()
        # Each event decoded makes a few hundred objects: without this, the collector's full
        # walks over the modules and models loaded at start took a seventh of the CPU of a burst.
        freeze_startup_objects()
        try:
            yield
        finally:
            stopping.set()
            if consumer is not None:
                await consumer.stop()
            if filling is not None:  # a round in progress is rolled back; the next start redoes it
                filling.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await filling
            await service.close()

    app = FastAPIOffline(  # /docs and /redoc from local files, not a CDN
        title="hoptac reporting",
        version="1",
        description="Statistics of cooperatives, cooperative unions, cooperative groups and "
        "people's credit funds by area, kind, sector and status, as of any date; standard "
        "reports as JSON, CSV, XLSX and PNG. Public figures: no token needed.",
        lifespan=lifespan,
    )
    app.state.reporting = service
    app.state.settings = settings
    size = Gauge(
        "hoptac_reporting_projection_size",
        "Rows of the projection: organisations, removed ones, timeline intervals, versions, "
        "and organisations still waiting for a version that arrived out of order",
        ["part"],
        registry=metrics,
    )

    async def ready() -> None:
        async with service.engine.connect() as conn:
            await conn.execute(text("SELECT 1 FROM timeline LIMIT 1"))
        if consumer is not None:
            consumer.check_ready()

    async def refresh() -> None:
        for part, count in (await service.size()).items():
            size.labels(part).set(count)
        if consumer is not None:
            await consumer.lag()  # sets hoptac_consumer_lag{consumer="reporting"}

    install_defaults(
        app,
        "reporting",
        metrics,
        ready,
        settings.max_body_bytes,
        refresh,
        guard=settings.http_guard(),
    )
    app.add_exception_handler(InvalidQuery, on_invalid_query)
    app.include_router(stats.router)
    app.include_router(reports.router)
    app.include_router(indicators.router)
    return app
