"""On a first start the worker waits for the registry token `hoptac run` writes a moment later,
instead of logging a failed backfill every few seconds."""

from __future__ import annotations

import asyncio
import logging

import pytest
from sqlalchemy.ext.asyncio import create_async_engine

from hoptac.notifications.ingest import Ingest
from hoptac.platform.testing import wait_until

pytestmark = pytest.mark.unit


async def test_without_a_token_the_worker_waits_quietly(caplog: pytest.LogCaptureFixture) -> None:
    asked: list[None] = []

    def no_token_yet() -> None:
        asked.append(None)

    engine = create_async_engine("postgresql+asyncpg://nobody@127.0.0.1:1/none")
    ingest = Ingest(engine, "http://127.0.0.1:1", no_token_yet, retry_seconds=0.01)
    stop = asyncio.Event()
    with caplog.at_level(logging.INFO, logger="hoptac.notifications"):
        waiting = asyncio.create_task(ingest.keep_complete(stop))
        await wait_until(lambda: len(asked) >= 10, message="the worker kept asking for a token")
        stop.set()
        await waiting
    await engine.dispose()
    messages = [record.getMessage() for record in caplog.records]
    assert sum("waiting for a registry token" in m for m in messages) == 1
    assert not any("failed" in m for m in messages)
