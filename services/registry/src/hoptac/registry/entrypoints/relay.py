"""The relay process: `python -m hoptac.registry.entrypoints.relay`."""

from __future__ import annotations

import asyncio
import logging
import signal

from prometheus_client import start_http_server

from hoptac.platform.nats import connect
from hoptac.registry.adapters.jetstream import ensure_stream, stream_config
from hoptac.registry.adapters.relay import OutboxRelay, RelayOptions
from hoptac.registry.bootstrap import engine_for
from hoptac.registry.settings import RegistrySettings


async def run_relay(settings: RegistrySettings, stop: asyncio.Event) -> None:
    engine = engine_for(settings)
    nc = await connect(settings.nats_url, "hoptac-registry-relay")
    try:
        js = nc.jetstream()
        await ensure_stream(
            js,
            stream_config(settings.stream_max_age_days, settings.stream_duplicate_window_seconds),
        )
        options = RelayOptions(
            batch_size=settings.relay_batch_size,
            poll_seconds=settings.relay_poll_seconds,
            coalesce_seconds=settings.relay_coalesce_seconds,
        )
        await OutboxRelay(engine, js, options).run(stop)
    finally:
        await nc.drain()
        await engine.dispose()


def main() -> None:
    settings = RegistrySettings()
    logging.basicConfig(level=settings.log_level, format="%(asctime)s %(name)s %(message)s")
    if settings.relay_metrics_port:
        start_http_server(settings.relay_metrics_port, addr=settings.host)

    async def serve() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        await run_relay(settings, stop)

    asyncio.run(serve())


if __name__ == "__main__":
    main()
