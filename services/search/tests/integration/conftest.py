"""The stream the registry would publish to, on the session's real nats-server."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import nats
import pytest
from nats.aio.client import Client
from nats.js.api import StreamConfig

from hoptac.contracts.events import STREAM, SUBJECT_PREFIX
from hoptac.platform.testing.change_log import ChangeLog, serving_change_log
from hoptac.search.adapters.tantivy_index import TantivyIndex
from hoptac.search.entrypoints.background import Background
from hoptac.search.handlers import Projection
from hoptac.search.settings import SearchSettings

Publish = Callable[..., Awaitable[None]]


@pytest.fixture
async def nc(nats_url: str) -> AsyncIterator[Client]:
    client = await nats.connect(nats_url)
    await client.jetstream().add_stream(
        StreamConfig(name=STREAM, subjects=[f"{SUBJECT_PREFIX}.>"], duplicate_window=60)
    )
    yield client
    await client.close()


@pytest.fixture
def publish(nc: Client) -> Publish:
    async def send(*bodies: bytes, subject: str = f"{SUBJECT_PREFIX}.updated.96") -> None:
        js = nc.jetstream()
        for body in bodies:
            await js.publish(subject, body)

    return send


@pytest.fixture
def settings(nats_url: str, tmp_path: Path) -> SearchSettings:
    return SearchSettings(
        nats_url=nats_url,
        var_dir=tmp_path,
        consumer_fetch_timeout=0.2,
        consumer_max_tries=2,
        switch_poll_seconds=0.1,
        registry_url="http://127.0.0.1:9",  # nothing listens: catch-up is not part of these
        registry_token="unused",
    )


@pytest.fixture
async def running(settings: SearchSettings) -> AsyncIterator[TantivyIndex]:
    """The service's consumer feeding a tantivy index, as in the service process."""
    index = TantivyIndex(settings.tantivy_dir)
    background = Background(settings, Projection(index), metrics=None)  # type: ignore[arg-type]
    await background.start()
    try:
        yield index
    finally:
        await background.stop()
        await index.close()


@pytest.fixture
async def change_log() -> AsyncIterator[ChangeLog]:
    async with serving_change_log() as log:
        yield log
