"""An outbox row JetStream can never take is set aside with its reason and the events behind it
are published; an operator lists, retries or dead-letters it; a stuck backlog turns readiness
red."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from datetime import timedelta
from typing import Any

import httpx
import nats
import pytest
from nats.aio.client import Client
from nats.js import JetStreamContext
from sqlalchemy import func, insert, update
from sqlalchemy.ext.asyncio import AsyncEngine
from typer.testing import CliRunner

from hoptac.contracts.events import parse_event
from hoptac.registry.adapters import outbox
from hoptac.registry.adapters.jetstream import ensure_stream, stream_config
from hoptac.registry.adapters.relay import OutboxRelay, RelayOptions
from hoptac.registry.adapters.tables import outbox as outbox_table
from hoptac.registry.entrypoints.cli import registry_app
from hoptac.registry.entrypoints.relay import relay_app
from hoptac.registry.handlers import Registry
from hoptac.registry.settings import RegistrySettings

from .test_outbox_relay import drain, raw_outbox_row, register_many, stream_messages

pytestmark = pytest.mark.integration

OVERSIZED = {"blob": "x" * 1_100_000}  # over nats-server's default max_payload of 1 MiB


@pytest.fixture
async def nc(nats_url: str) -> AsyncIterator[Client]:
    client = await nats.connect(nats_url)
    yield client
    await client.close()


@pytest.fixture
async def relay(engine: AsyncEngine, nc: Client) -> OutboxRelay:
    await ensure_stream(nc.jetstream(), stream_config(30, 1200))
    return OutboxRelay(engine, nc, RelayOptions(batch_size=4, publish_timeout=2))


async def insert_raw(engine: AsyncEngine, **overrides: Any) -> None:
    async with engine.begin() as conn:
        await conn.execute(insert(outbox_table).values(**raw_outbox_row(**overrides)))


async def test_an_event_over_max_payload_is_set_aside_and_the_rest_are_published(
    registry: Registry,
    relay: OutboxRelay,
    nc: Client,
    engine: AsyncEngine,
    make_body: Callable[..., dict[str, Any]],
) -> None:
    await register_many(registry, make_body, 2)
    await insert_raw(engine, data=OVERSIZED)
    await register_many(
        registry,
        lambda **kw: make_body(**{**kw, "registration_number": "9" + kw["registration_number"]}),
        3,
    )
    await drain(relay)

    js: JetStreamContext = nc.jetstream()
    published = [parse_event(m.data).sequence for m in await stream_messages(js)]
    assert published == [1, 2, 4, 5, 6]
    async with engine.connect() as conn:
        (held,) = await outbox.held_rows(conn)
        assert await outbox.backlog(conn) == (0, 0.0)
        assert await outbox.held_count(conn) == 1
        in_change_log = [e["sequence"] for e in await outbox.page(conn, 0, 10)]
    assert held.sequence == 3
    assert "max_payload" in held.held_reason
    assert in_change_log == [1, 2, 3, 4, 5, 6]


async def test_a_retried_event_is_tried_again_and_a_dead_lettered_one_no_more(
    relay: OutboxRelay, engine: AsyncEngine
) -> None:
    await insert_raw(engine, data=OVERSIZED)
    await drain(relay)
    async with engine.begin() as conn:
        assert await outbox.retry(conn, None) == [1]
        assert await outbox.held_count(conn) == 0
    await drain(relay)  # still too large: set aside again
    async with engine.begin() as conn:
        assert await outbox.held_count(conn) == 1
        assert await outbox.dead_letter(conn, [1]) == [1]
        assert await outbox.held_count(conn) == 0
        assert await outbox.retry(conn, [1]) == []  # a dead letter is not retried
        (row,) = await outbox.held_rows(conn, dead_lettered=True)
    assert row.dead_lettered_at is not None


async def test_a_retried_event_that_goes_through_is_published_once_and_no_longer_held(
    relay: OutboxRelay, nc: Client, engine: AsyncEngine
) -> None:
    for _ in range(3):
        await insert_raw(engine)
    async with engine.begin() as conn:  # as the relay leaves a batch whose second event failed
        await outbox.assign_sequences(conn, 10)
        await outbox.hold(conn, {2: "refused for now"})
        await outbox.mark_published(conn, [], 3)
        assert await outbox.retry(conn, [2]) == [2]
    await drain(relay)
    messages = await stream_messages(nc.jetstream())
    published = [json.loads(m.data)["sequence"] for m in messages]
    async with engine.connect() as conn:
        assert await outbox.held_rows(conn, dead_lettered=True) == []
        assert await outbox.backlog(conn) == (0, 0.0)
        assert await outbox.unpublished(conn, 10) == []
    assert published == [2]


def run_cli(*args: str) -> Any:
    return CliRunner().invoke(registry_app, ["outbox", *args], catch_exceptions=False)


async def test_the_operator_commands_list_retry_and_dead_letter(
    relay: OutboxRelay, engine: AsyncEngine, registry_url: str
) -> None:
    await insert_raw(engine, data=OVERSIZED)
    await drain(relay)
    url = ["--database-url", registry_url]

    listed = await asyncio.to_thread(run_cli, "list", *url)
    assert listed.exit_code == 0
    assert "max_payload" in listed.output
    assert "organization.updated" in listed.output

    retried = await asyncio.to_thread(run_cli, "retry", "1", *url)
    assert retried.exit_code == 0
    assert "given back to the relay: 1" in retried.output
    await drain(relay)
    dead = await asyncio.to_thread(run_cli, "dead-letter", *url)
    assert dead.exit_code == 0
    assert "dead-lettered" in dead.output
    nothing = await asyncio.to_thread(run_cli, "dead-letter", "1", *url)
    assert nothing.exit_code == 1
    assert "no event is set aside" in (await asyncio.to_thread(run_cli, "list", *url)).output


async def make_old(engine: AsyncEngine, age: timedelta) -> None:
    async with engine.begin() as conn:
        await conn.execute(update(outbox_table).values(recorded_at=func.now() - age))


async def test_an_old_backlog_turns_the_registry_and_the_relay_unready(
    client: httpx.AsyncClient, engine: AsyncEngine, registry_url: str, relay: OutboxRelay
) -> None:
    settings = RegistrySettings(database_url=registry_url)
    transport = httpx.ASGITransport(app=relay_app(engine, settings))
    async with httpx.AsyncClient(transport=transport, base_url="http://relay") as relay_http:
        await insert_raw(engine)
        await make_old(engine, timedelta(minutes=5))
        for http in (client, relay_http):
            answer = await http.get("/readyz")
            assert answer.status_code == 503
            assert "1 events are waiting to be published" in answer.json()["message"]
        await drain(relay)
        for http in (client, relay_http):
            assert (await http.get("/readyz")).status_code == 200


async def test_a_held_event_does_not_hold_readiness_but_shows_in_the_metrics(
    client: httpx.AsyncClient, engine: AsyncEngine, relay: OutboxRelay
) -> None:
    await insert_raw(engine, data=OVERSIZED)
    await make_old(engine, timedelta(minutes=5))
    await drain(relay)
    assert (await client.get("/readyz")).status_code == 200
    assert "hoptac_outbox_held 1.0" in (await client.get("/metrics")).text
