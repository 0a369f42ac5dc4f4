"""The raw limits under the registry, measured on the same servers with the same payloads:
PostgreSQL single-row commits and COPY, JetStream publishing with and without pipelining."""

from __future__ import annotations

import asyncio
import dataclasses
import itertools
import json
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

import asyncpg
import nats
from nats.js.api import StreamConfig
from sqlalchemy import select
from sqlalchemy.ext.asyncio import create_async_engine

from hoptac.registry.adapters.jetstream import stream_config
from hoptac.registry.adapters.outbox import envelope
from hoptac.registry.adapters.tables import outbox, outbox_sequence
from hoptac.registry.settings import RegistrySettings


@dataclass(frozen=True)
class Sample:
    """Real events of the run: their data (as the outbox stores it) and their JetStream message
    (as the relay publishes it)."""

    subject: str
    data: str  # JSON text of outbox.data
    message: bytes  # the envelope


@dataclass(frozen=True)
class RawResult:
    operations: int
    seconds: float
    latencies: list[float] = dataclasses.field(default_factory=list)

    @property
    def rate(self) -> float:
        return self.operations / self.seconds if self.seconds > 0 else float("nan")


async def sample_events(database_url: str, event_type: str, limit: int = 2000) -> list[Sample]:
    engine = create_async_engine(database_url)
    try:
        async with engine.connect() as conn:
            rows = await conn.execute(
                select(outbox, outbox_sequence.c.sequence)
                .join(outbox_sequence, outbox_sequence.c.outbox_id == outbox.c.id)
                .where(outbox.c.event_type == event_type)
                .order_by(outbox.c.id)
                .limit(limit)
            )
            return [
                Sample(
                    row.subject,
                    json.dumps(row.data, ensure_ascii=False),
                    # Byte for byte what the relay sends (see adapters/jetstream.py).
                    json.dumps(envelope(row), ensure_ascii=False, separators=(",", ":")).encode(),
                )
                for row in rows
            ]
    finally:
        await engine.dispose()


# --- PostgreSQL -----------------------------------------------------------------------------

_TABLE = "CREATE TABLE IF NOT EXISTS {name} (id bigserial PRIMARY KEY, data json NOT NULL)"


async def prepare_tables(dsn: str) -> None:
    conn = await asyncpg.connect(dsn)
    try:
        for name in ("raw_commits", "raw_copy"):
            await conn.execute(_TABLE.format(name=name))
    finally:
        await conn.close()


async def checkpoint(dsn: str) -> None:
    """Flush dirty pages now, so a checkpoint caused by an earlier phase does not land in the
    middle of the next measurement."""
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute("CHECKPOINT")
    finally:
        await conn.close()


async def single_row_commits(
    dsn: str, samples: Sequence[Sample], clients: int, seconds: float, *, notify: bool = False
) -> RawResult:
    """`clients` connections, each committing one INSERT of an event-sized json after another
    (autocommit: one round trip, one WAL flush per transaction unless commits group).

    With `notify`, each transaction also NOTIFYs, as every registry write does.
    """
    insert = "INSERT INTO raw_commits (data) VALUES ($1::json)"
    if notify:
        insert = (
            "WITH i AS (INSERT INTO raw_commits (data) VALUES ($1::json) RETURNING id) "
            "SELECT pg_notify('raw_commits', '') FROM i"
        )
    connections = [await asyncpg.connect(dsn) for _ in range(clients)]
    latencies: list[float] = []
    ends = time.monotonic() + seconds

    async def worker(conn: asyncpg.Connection, offset: int) -> int:
        statement = await conn.prepare(insert)
        done = 0
        for sample in itertools.islice(itertools.cycle(samples), offset, None):
            started = time.monotonic()
            if started >= ends:
                break
            await statement.fetch(sample.data)
            latencies.append(time.monotonic() - started)
            done += 1
        return done

    try:
        started = time.monotonic()
        counts = await asyncio.gather(*(worker(conn, n * 97) for n, conn in enumerate(connections)))
        elapsed = time.monotonic() - started
    finally:
        for conn in connections:
            await conn.close()
    return RawResult(sum(counts), elapsed, latencies)


async def copy_rows(dsn: str, samples: Sequence[Sample], rows: int) -> RawResult:
    """One COPY of `rows` event-sized json rows, committed (the bulk ceiling)."""
    records = [(sample.data,) for sample in itertools.islice(itertools.cycle(samples), rows)]
    conn = await asyncpg.connect(dsn)
    try:
        started = time.monotonic()
        await conn.copy_records_to_table("raw_copy", records=records, columns=["data"])
        elapsed = time.monotonic() - started
    finally:
        await conn.close()
    return RawResult(rows, elapsed)


# --- JetStream ------------------------------------------------------------------------------

RAW_STREAM = "BENCH_RAW"


def _raw_stream_config() -> StreamConfig:
    """The registry's stream configuration (file storage, duplicate window), other name and
    subjects, so publishing here costs what publishing the real events costs."""
    settings = RegistrySettings()
    config = stream_config(settings.stream_max_age_days, settings.stream_duplicate_window_seconds)
    return dataclasses.replace(config, name=RAW_STREAM, subjects=["bench.raw.>"])


def _raw_subject(sample: Sample) -> str:
    # coop.v1.org.registered.96 -> bench.raw.registered.96
    return "bench.raw." + ".".join(sample.subject.split(".")[-2:])


async def jetstream_publish(
    url: str, samples: Sequence[Sample], messages: int, batch: int | None
) -> RawResult:
    """Publish `messages` real event envelopes, each with its own Nats-Msg-Id.

    `batch` None: one at a time, each acknowledgement awaited before the next publish.
    `batch` N: N sent, then their N acknowledgements awaited (the relay's pattern); N as large as
    `messages` is fully pipelined.
    """
    nc = await nats.connect(url, name="bench-raw")
    try:
        js = nc.jetstream()
        await js.add_stream(_raw_stream_config())
        work = [
            (_raw_subject(sample), sample.message)
            for sample in itertools.islice(itertools.cycle(samples), messages)
        ]
        ids = [str(uuid.uuid4()) for _ in range(messages)]
        latencies: list[float] = []
        started = time.monotonic()
        if batch is None:
            for (subject, body), msg_id in zip(work, ids, strict=True):
                sent = time.monotonic()
                await js.publish(subject, body, headers={"Nats-Msg-Id": msg_id})
                latencies.append(time.monotonic() - sent)
        else:
            for first in range(0, messages, batch):
                futures = [
                    await js.publish_async(subject, body, headers={"Nats-Msg-Id": msg_id})
                    for (subject, body), msg_id in zip(
                        work[first : first + batch], ids[first : first + batch], strict=True
                    )
                ]
                await asyncio.gather(*futures)
        elapsed = time.monotonic() - started
        await js.delete_stream(RAW_STREAM)
    finally:
        await nc.close()
    return RawResult(messages, elapsed, latencies)
