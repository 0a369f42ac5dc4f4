"""The relay process: `python -m hoptac.registry.entrypoints.relay`.

Beside the relay it serves /healthz, /readyz and /metrics on HOPTAC_REGISTRY_RELAY_PORT; it is
ready while PostgreSQL answers and no waiting event is older than the outbox's age limit.
"""

from __future__ import annotations

import asyncio
import logging
import signal

import uvloop
from fastapi import FastAPI
from prometheus_client import REGISTRY
from sqlalchemy.ext.asyncio import AsyncEngine

from hoptac.platform.http import install_defaults
from hoptac.platform.nats import connect
from hoptac.platform.operations_server import operations_served
from hoptac.platform.startup_memory import freeze_startup_objects
from hoptac.registry.adapters import outbox
from hoptac.registry.adapters.jetstream import ensure_stream, stream_config
from hoptac.registry.adapters.relay import OutboxRelay, RelayOptions
from hoptac.registry.bootstrap import engine_for
from hoptac.registry.settings import RegistrySettings


def relay_app(engine: AsyncEngine, settings: RegistrySettings) -> FastAPI:
    app = FastAPI(title="hoptac registry relay", version="1")

    async def ready() -> None:
        async with engine.connect() as conn:
            await outbox.check_backlog(conn, settings.outbox_max_age_seconds)

    install_defaults(app, "registry-relay", REGISTRY, ready, settings.max_body_bytes)
    return app


async def run_relay(settings: RegistrySettings, stop: asyncio.Event) -> None:
    engine = engine_for(settings)
    async with operations_served(relay_app(engine, settings), settings.host, settings.relay_port):
        nc = await connect(settings.nats_url, "hoptac-registry-relay")
        try:
            await ensure_stream(
                nc.jetstream(),
                stream_config(
                    settings.stream_max_age_days,
                    settings.stream_duplicate_window_seconds,
                    settings.stream_replicas,
                ),
            )
            options = RelayOptions(
                batch_size=settings.relay_batch_size,
                poll_seconds=settings.relay_poll_seconds,
                coalesce_seconds=settings.relay_coalesce_seconds,
            )
            # A batch makes thousands of objects (decoded events, envelopes, futures) and so
            # several collections: without this, each walked everything the start made too.
            freeze_startup_objects()
            await OutboxRelay(engine, nc, options).run(stop)
        finally:
            await nc.drain()
            await engine.dispose()


def main() -> None:
    settings = RegistrySettings()
    logging.basicConfig(level=settings.log_level, format="%(asctime)s %(name)s %(message)s")

    async def serve() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        await run_relay(settings, stop)

    uvloop.run(serve())  # the event loop uvicorn runs the HTTP services on


if __name__ == "__main__":
    main()
