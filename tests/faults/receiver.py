"""A webhook receiver as an agency might run one: slow, and failing some attempts on purpose.

It records every attempt it saw and every one it acknowledged, by `webhook-id`, so a test can
tell what was delivered, what was delivered twice, and what never arrived.
"""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from dataclasses import dataclass, field

from aiohttp import web

from hoptac.platform.embedded import free_port


@dataclass
class Receiver:
    fail_every: int = 5  # every n-th attempt answers 500
    delay_seconds: float = 0.05
    port: int = field(default_factory=free_port)
    attempts: Counter[str] = field(default_factory=Counter)
    acknowledged: Counter[str] = field(default_factory=Counter)
    sequences: dict[str, int] = field(default_factory=dict)
    _runner: web.AppRunner | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/hook", self._handle)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", self.port).start()

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def _handle(self, request: web.Request) -> web.Response:
        webhook_id = request.headers["webhook-id"]
        body = json.loads(await request.read())
        self.attempts[webhook_id] += 1
        await asyncio.sleep(self.delay_seconds)
        if sum(self.attempts.values()) % self.fail_every == 0:
            return web.Response(status=500, text="failing on purpose")
        self.acknowledged[webhook_id] += 1
        self.sequences[webhook_id] = body["sequence"]
        return web.Response(status=204)
