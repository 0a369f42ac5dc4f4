"""Keeping the stored log complete: on a first start the worker waits for the registry token
`hoptac run` writes a moment later, instead of failing a backfill every few seconds; a hole the
change log cannot fill is looked at less and less often, not in a tight loop."""

from __future__ import annotations

import asyncio
import logging

import pytest
from sqlalchemy.ext.asyncio import create_async_engine

from hoptac.notifications import ingest as ingest_module
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


async def test_a_hole_the_change_log_cannot_fill_is_looked_at_less_and_less_often(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    engine = create_async_engine("postgresql+asyncpg://nobody@127.0.0.1:1/none")
    ingest = Ingest(engine, "http://127.0.0.1:1", lambda: "a-token", retry_seconds=0.5)
    stop = asyncio.Event()
    pauses: list[float] = []

    async def nothing_fills_it() -> int:
        ingest.gap_seen.set()  # storing found the hole still there
        return 0

    async def pause(stopping: asyncio.Event, seconds: float) -> None:
        pauses.append(seconds)
        if len(pauses) == 4:
            stop.set()

    monkeypatch.setattr(ingest, "backfill", nothing_fills_it)
    monkeypatch.setattr(ingest_module, "_sleep_unless", pause)
    await ingest.keep_complete(stop)
    await engine.dispose()
    assert pauses == [0.5, 1.0, 2.0, 4.0]
