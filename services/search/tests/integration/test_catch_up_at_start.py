"""At start, search fills its index from the change log, waiting for a registry that does not
answer yet (every service starts at once) instead of trying once and giving up."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from aiohttp import web

from hoptac.platform.embedded import free_port
from hoptac.platform.testing import wait_until
from hoptac.search.adapters.tantivy_index import TantivyIndex
from hoptac.search.entrypoints.background import Background
from hoptac.search.handlers import Projection
from hoptac.search.settings import SearchSettings

from ..conftest import make_event, make_record

pytestmark = pytest.mark.integration


async def test_a_registry_that_answers_late_is_still_caught_up_with(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    port = free_port()
    settings = SearchSettings(
        var_dir=tmp_path,
        consume=False,
        registry_url=f"http://127.0.0.1:{port}",
        registry_token="a-token",
    )
    index = TantivyIndex(settings.tantivy_dir)
    background = Background(settings, Projection(index), metrics=None)  # type: ignore[arg-type]
    events = [json.loads(make_event(make_record(), sequence=1))]

    async def changes(request: web.Request) -> web.Response:
        after = int(request.query["after"])
        page = [e for e in events if e["sequence"] > after]
        return web.json_response({"events": page, "next": page[-1]["sequence"] if page else after})

    await background.start()
    try:
        await wait_until(  # the first try meets no registry
            lambda: any("catching up" in r.getMessage() for r in caplog.records),
            message="a first try of the catch-up",
        )
        app = web.Application()
        app.router.add_get("/v1/changes", changes)
        runner = web.AppRunner(app)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", port).start()
        try:
            await wait_until(
                lambda: index.last_sequence(), timeout=20, message="caught up once it answered"
            )
        finally:
            await runner.cleanup()
    finally:
        await background.stop()
        await index.close()
