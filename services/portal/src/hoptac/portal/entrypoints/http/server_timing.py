"""`Server-Timing: app;dur=<ms>` on every answer: how long the portal took, from the request
reaching the app to its answer's headers, every middleware counted (gzip too, which holds the
headers until the body is compressed). The benchmark reads it as the page's server time; a
browser's developer tools show it beside the request."""

from __future__ import annotations

import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send


class ServerTiming:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()

        async def timed(message: Message) -> None:
            if message["type"] == "http.response.start":
                spent = f"app;dur={(time.perf_counter() - started) * 1000:.2f}"
                message["headers"] = [
                    *message.get("headers", ()),
                    (b"server-timing", spent.encode()),
                ]
            await send(message)

        await self.app(scope, receive, timed)
