"""The outbox and its relay against real PostgreSQL and a real nats-server, faults included."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from typing import Any
from uuid import uuid4

import nats
import pytest
from nats.aio.client import Client
from nats.errors import Error as NatsError
from nats.js import JetStreamContext
from sqlalchemy import func, insert
from sqlalchemy.dialects import postgresql
from sqlalchemy.ext.asyncio import AsyncEngine

from hoptac.contracts.events import STREAM, parse_event
from hoptac.platform.embedded.nats import EmbeddedNats
from hoptac.platform.embedded.postgres import EmbeddedPostgres
from hoptac.registry.adapters import outbox
from hoptac.registry.adapters.jetstream import ensure_stream, stream_config
from hoptac.registry.adapters.relay import OutboxRelay, RelayOptions
from hoptac.registry.adapters.repository import WriteContext
from hoptac.registry.adapters.tables import outbox as outbox_table
from hoptac.registry.domain.access import Principal, Role
from hoptac.registry.handlers import Registry

pytestmark = pytest.mark.integration

ADMIN = Principal("admin", Role.ADMIN)
CONTEXT = WriteContext("admin", "pytest", "corr-1")


@pytest.fixture
async def nc(nats_url: str) -> AsyncIterator[Client]:
    client = await nats.connect(nats_url, max_reconnect_attempts=-1, reconnect_time_wait=0.1)
    yield client
    await client.close()


@pytest.fixture
async def js(nc: Client) -> JetStreamContext:
    context = nc.jetstream()
    await ensure_stream(context, stream_config(30, 1200))
    return context


@pytest.fixture
def relay(engine: AsyncEngine, nc: Client, js: JetStreamContext) -> OutboxRelay:
    return OutboxRelay(engine, nc, RelayOptions(batch_size=4, publish_timeout=2))


async def register_many(
    registry: Registry, make_body: Callable[..., dict[str, Any]], count: int
) -> None:
    for number in range(count):
        body = make_body(registration_number=f"8{number:05d}", name=f"Hợp tác xã Thử {number}")
        await registry.register(body, ADMIN, CONTEXT)


async def drain(relay: OutboxRelay) -> None:
    while await relay.step():
        pass


async def stream_messages(js: JetStreamContext) -> list[Any]:
    info = await js.stream_info(STREAM)
    return [await js.get_msg(STREAM, seq) for seq in range(1, info.state.last_seq + 1)]


def raw_outbox_row(**overrides: Any) -> dict[str, Any]:
    row = {
        "event_id": uuid4(),
        "event_type": "organization.updated",
        "subject": "coop.v1.org.updated.96",
        "organization_id": uuid4(),
        "organization_version": 2,
        "province_code": "96",
        "occurred_at": func.now(),
        "recorded_at": func.now(),
        "actor": "test",
        "data": {},
    }
    return {**row, **overrides}


async def test_a_row_that_commits_late_is_numbered_after_the_rows_already_seen(
    engine: AsyncEngine,
) -> None:
    late = await engine.connect()
    transaction = await late.begin()
    await late.execute(insert(outbox_table).values(**raw_outbox_row(actor="late")))  # lower id
    async with engine.begin() as conn:
        await conn.execute(insert(outbox_table).values(**raw_outbox_row(actor="early")))
    async with engine.begin() as conn:
        await outbox.assign_sequences(conn, 100)
    async with engine.connect() as conn:
        first = await outbox.page(conn, 0, 100)
    await transaction.commit()
    await late.close()
    async with engine.begin() as conn:
        await outbox.assign_sequences(conn, 100)
    async with engine.connect() as conn:
        after_first = await outbox.page(conn, first[-1]["sequence"], 100)
    assert [(e["actor"], e["sequence"]) for e in first] == [("early", 1)]
    assert [(e["actor"], e["sequence"]) for e in after_first] == [("late", 2)]


def _relations_read_whole(plan: dict[str, Any]) -> list[str]:
    found = [plan["Relation Name"]] if plan["Node Type"] == "Seq Scan" else []
    return found + [
        name for child in plan.get("Plans", []) for name in _relations_read_whole(child)
    ]


async def test_a_relay_step_never_reads_the_whole_change_log(engine: AsyncEngine) -> None:
    """The outbox and its numbering are kept forever; a relay step must reach its rows by their
    keys, whatever the planner believes of the tables (joined to the batch, it once chose to
    read the whole outbox)."""
    now = datetime.now(UTC)
    rows = [raw_outbox_row(occurred_at=now, recorded_at=now) for _ in range(3300)]
    async with engine.begin() as conn:
        await conn.execute(insert(outbox_table), rows[:3000])
        await outbox.assign_sequences(conn, 3000)
        await outbox.mark_published(conn, [], 2900)
        await conn.execute(insert(outbox_table), rows[3000:])
    reading = outbox.next_batch(256).compile(
        dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True}
    )
    async with engine.connect() as conn:
        await conn.commit()
        await conn.exec_driver_sql("ANALYZE outbox, outbox_sequence, outbox_unnumbered")
        await conn.exec_driver_sql("SET plan_cache_mode = force_generic_plan")
        await conn.exec_driver_sql(f"PREPARE step(int) AS {outbox.NUMBERING_SQL}")
        plans = [
            (await conn.exec_driver_sql(f"EXPLAIN (FORMAT JSON) {statement}")).scalar_one()[0]
            for statement in ("EXECUTE step(256)", str(reading))
        ]
        await conn.rollback()
    kept_forever = {"outbox", "outbox_sequence", "outbox_publications"}
    for plan in plans:
        assert not kept_forever & set(_relations_read_whole(plan["Plan"]))


async def test_every_event_is_published_once_with_its_id_as_msg_id(
    registry: Registry,
    relay: OutboxRelay,
    js: JetStreamContext,
    engine: AsyncEngine,
    make_body: Callable[..., dict[str, Any]],
) -> None:
    await register_many(registry, make_body, 10)
    await drain(relay)
    messages = await stream_messages(js)
    events = [parse_event(m.data) for m in messages]
    assert [e.sequence for e in events] == list(range(1, 11))
    assert [m.headers["Nats-Msg-Id"] for m in messages] == [str(e.event_id) for e in events]
    assert {m.subject for m in messages} == {"coop.v1.org.registered.96"}
    assert all(e.correlation_id == "corr-1" for e in events)
    async with engine.connect() as conn:
        assert await outbox.backlog(conn) == (0, 0.0)


async def test_a_relay_that_dies_after_publishing_duplicates_nothing(
    registry: Registry,
    relay: OutboxRelay,
    js: JetStreamContext,
    make_body: Callable[..., dict[str, Any]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    await register_many(registry, make_body, 6)

    async def crash(*_: Any) -> None:
        raise ConnectionError("killed between publishing and marking")

    with monkeypatch.context() as patch:
        patch.setattr(outbox, "mark_published", crash)
        with pytest.raises(ConnectionError):
            await relay.step()
    await drain(relay)
    ids = [json.loads(m.data)["event_id"] for m in await stream_messages(js)]
    assert len(ids) == 6 == len(set(ids))


async def test_events_wait_while_nats_is_down_and_all_arrive_after(
    registry: Registry,
    relay: OutboxRelay,
    js: JetStreamContext,
    nats_server: EmbeddedNats,
    make_body: Callable[..., dict[str, Any]],
) -> None:
    await register_many(registry, make_body, 2)
    await drain(relay)
    nats_server.kill()
    try:
        await register_many(
            registry,
            lambda **kw: make_body(
                **{**kw, "registration_number": "9" + kw["registration_number"]}
            ),
            3,
        )
        with pytest.raises((TimeoutError, ConnectionError, NatsError)):
            await relay.step()
    finally:
        nats_server.start()
    await drain(relay)
    events = [parse_event(m.data) for m in await stream_messages(js)]
    assert [e.sequence for e in events] == [1, 2, 3, 4, 5]


async def test_writes_survive_a_postgresql_crash(
    registry: Registry,
    relay: OutboxRelay,
    js: JetStreamContext,
    pg_server: EmbeddedPostgres,
    make_body: Callable[..., dict[str, Any]],
) -> None:
    await register_many(registry, make_body, 3)
    pg_server.kill()
    pg_server.start()
    await registry.engine.dispose()  # connections to the dead server are gone
    await relay.engine.dispose()
    await drain(relay)
    events = [parse_event(m.data) for m in await stream_messages(js)]
    assert len(events) == 3 == len({e.event_id for e in events})
