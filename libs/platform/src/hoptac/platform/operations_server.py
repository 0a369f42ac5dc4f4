"""/healthz, /readyz and /metrics of a worker process (the registry's relay, the notifications
worker), served by uvicorn beside the worker's own work in the same event loop."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Generator

import uvicorn
from fastapi import FastAPI


class _WorkerServer(uvicorn.Server):
    """uvicorn without its signal handlers: the worker stops on its own, and uvicorn would take
    SIGINT and SIGTERM over while it serves."""

    @contextlib.contextmanager
    def capture_signals(self) -> Generator[None, None, None]:
        yield


@contextlib.asynccontextmanager
async def operations_served(app: FastAPI, host: str, port: int) -> AsyncIterator[None]:
    server = _WorkerServer(
        uvicorn.Config(app, host=host, port=port, log_level="warning", lifespan="off")
    )
    serving = asyncio.create_task(server.serve())
    try:
        yield
    finally:
        server.should_exit = True
        await serving
