"""A change log (`GET /v1/changes?after=&limit=`, the registry's or the library's) on a loopback
port, holding what a test puts in it and counting the requests: what a projection's gap
filling reads, with entries a test can leave out, break or fix."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

import uvicorn
from fastapi import FastAPI

from hoptac.platform.embedded.ports import free_port
from hoptac.platform.testing.waiting import wait_until


class ChangeLog:
    def __init__(self, url: str) -> None:
        self.url = url
        self.events: list[dict[str, Any]] = []
        self.requests = 0

    def page(self, after: int, limit: int) -> dict[str, Any]:
        self.requests += 1
        events = [e for e in self.events if e["sequence"] > after][:limit]
        return {"events": events, "next": events[-1]["sequence"] if events else after}


@contextlib.asynccontextmanager
async def serving_change_log() -> AsyncIterator[ChangeLog]:
    port = free_port()
    log = ChangeLog(f"http://127.0.0.1:{port}")
    app = FastAPI()

    @app.get("/v1/changes")
    async def changes(after: int = 0, limit: int = 1000) -> dict[str, Any]:
        return log.page(after, limit)

    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, log_level="warning", lifespan="off", ws="none"
    )
    server = uvicorn.Server(config)
    serving = asyncio.create_task(server.serve())
    try:
        await wait_until(lambda: server.started, 10, message="the change log serving")
        yield log
    finally:
        server.should_exit = True
        await serving
