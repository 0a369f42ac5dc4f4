"""The outbox as a change log: assigning sequence numbers, reading pages, marking published."""

from __future__ import annotations

from datetime import date, datetime, time
from functools import cache
from typing import Any, cast
from uuid import UUID

import orjson
import pydantic_core
from pydantic import BaseModel, TypeAdapter, ValidationError
from pydantic_core import SchemaSerializer
from sqlalchemy import String, and_, delete, false, func, select, true, union_all, update
from sqlalchemy.dialects.postgresql import JSONB, insert
from sqlalchemy.ext.asyncio import AsyncConnection

from hoptac.contracts.codes import EventName
from hoptac.contracts.events import EVENT_MODELS, SCHEMA_VERSION
from hoptac.contracts.plain import EVENT_VALUES, plain
from hoptac.platform.http import NotReady
from hoptac.platform.json_columns import JsonText
from hoptac.platform.text import Text
from hoptac.registry.adapters.repository import WriteContext
from hoptac.registry.adapters.tables import (
    outbox,
    outbox_held,
    outbox_publications,
    outbox_sequence,
    outbox_unnumbered,
)

# Only one sequencer may run at a time; the lock is taken per transaction, so a second relay
# simply waits its turn.
SEQUENCER_LOCK = 0x686F70746163  # "hoptac"

# Ids move from `outbox_unnumbered` to `outbox_sequence`: two narrow rows, the outbox row itself
# untouched. Both tables are reached through their primary keys only, so a step costs the same
# whatever the size of the change log, which is kept forever.
NUMBERING_SQL = """
    WITH pending AS (
        DELETE FROM outbox_unnumbered WHERE id = ANY(ARRAY(
            SELECT id FROM outbox_unnumbered ORDER BY id LIMIT $1
        ))
        RETURNING id
    ), top AS (
        SELECT coalesce(max(sequence), 0) AS sequence FROM outbox_sequence
    )
    INSERT INTO outbox_sequence (sequence, outbox_id)
    SELECT top.sequence + row_number() OVER (ORDER BY pending.id), pending.id FROM pending, top
"""


async def assign_sequences(conn: AsyncConnection, batch: int) -> int:
    """Number the committed rows that have no sequence yet, in the order they are seen.

    A row that commits late is numbered after every row already numbered, so a reader that has
    seen sequence N has seen every row below N.
    """
    await conn.execute(select(func.pg_advisory_xact_lock(SEQUENCER_LOCK)))
    result = await conn.exec_driver_sql(NUMBERING_SQL, (batch,))
    return int(result.rowcount)


def encode(envelope: dict[str, Any]) -> bytes:
    """The message body published to JetStream: compact UTF-8 JSON."""
    return orjson.dumps(envelope)


# The widest sequence number, for sizing an event before the relay numbers it.
_WIDEST_SEQUENCE = 2**63 - 1


def _envelope(
    event_id: UUID,
    event_type: str,
    occurred_at: datetime,
    recorded_at: datetime,
    sequence: int,
    organization_id: UUID,
    organization_version: int,
    actor: str,
    correlation_id: str | None,
    data: dict[str, Any],
) -> dict[str, Any]:
    """The envelope as the relay publishes it: the fields of the contract's EnvelopeBase."""
    return {
        "event_id": str(event_id),
        "event_type": event_type,
        "schema_version": SCHEMA_VERSION,
        "occurred_at": occurred_at.isoformat(),
        "recorded_at": recorded_at.isoformat(),
        "sequence": sequence,
        "organization_id": str(organization_id),
        "organization_version": organization_version,
        "actor": actor,
        "correlation_id": correlation_id,
        "data": data,
    }


class ContractBroken(Exception):
    """The registry built an event its own contract refuses: a bug, and nothing is written."""


def checked(
    event_type: EventName,
    event_id: UUID,
    occurred_at: datetime,
    organization_id: UUID,
    organization_version: int,
    context: WriteContext,
    now: datetime,
    data: dict[str, Any],
) -> tuple[JsonText, int]:
    """The event's `data` as its contract writes it (JSON text, stored as it is), and the size
    in bytes of the body it will be published with: the whole envelope passes the contract's
    checks once, and `data` is what they give back, so nothing the registry publishes can
    disagree with the contract. `data` may be plain JSON-like values (dates as text or as
    dates).

    The checks are the contract's plain validator's (`EVENT_VALUES`: the models' rules without
    building the models), and the values it gives are written as the model would write them
    (`_written`): half the work of building the models and writing them, for the same text
    (the oracle property test `test_outbox_written_as_the_models.py`). An event refused is
    checked again by its model, so that the error is the contract's, word for word."""
    body = _envelope(
        event_id,
        event_type.event_type,
        occurred_at,
        now,
        _WIDEST_SEQUENCE,
        organization_id,
        organization_version,
        context.actor_id,
        context.correlation_id,
        data,
    )
    try:
        written = _written(event_type, EVENT_VALUES.validate_python(body)["data"])
    except ValidationError:
        written = _by_the_model(event_type, body)
    body["data"] = orjson.Fragment(written)
    return JsonText(written), len(encode(body))


def _by_the_model(event_type: EventName, body: dict[str, Any]) -> str:
    """The event's data as its model writes it; refused, with the model's own error."""
    try:
        event = EVENT_MODELS[event_type].model_validate(body)
    except ValidationError as error:
        raise ContractBroken(
            f"{event_type.event_type} does not match its contract: {error}"
        ) from error
    return event.data.model_dump_json()


def _pydantic_writes(value: Any) -> orjson.Fragment:
    """A date, time or datetime as pydantic writes it: orjson writes an offset with seconds
    (a zone's local mean time before 1900) rounded, pydantic cut to the minute."""
    if isinstance(value, date | time):  # a datetime is a date
        return orjson.Fragment(pydantic_core.to_json(value))
    raise TypeError(type(value).__name__)


def _written(event_type: EventName, data: dict[str, Any]) -> str:
    """The checked `data` as the contract's model of it writes it: orjson writes each value
    as pydantic does (text, numbers, UUIDs, enums by value; the dates through pydantic) in half
    the time of pydantic's writer, which takes what orjson cannot write (an integer beyond 64
    bits, a key that is not text)."""
    try:
        written = orjson.dumps(
            data, default=_pydantic_writes, option=orjson.OPT_PASSTHROUGH_DATETIME
        )
    except orjson.JSONEncodeError:
        written = _data_writer(event_type).to_json(data)
    return written.decode()


@cache
def _data_writer(event_type: EventName) -> SchemaSerializer:
    """pydantic's writer of the plain values of the event's data, the one its model writes
    itself with."""
    data_model = cast(type[BaseModel], EVENT_MODELS[event_type].model_fields["data"].annotation)
    return SchemaSerializer(plain(TypeAdapter(data_model).core_schema))


def envelope(row: Any) -> dict[str, Any]:
    """The envelope of a numbered outbox row: the one `checked` at commit, with the
    sequence and commit time it has now."""
    return _envelope(
        row.event_id,
        row.event_type,
        row.occurred_at,
        row.recorded_at,
        row.sequence,
        row.organization_id,
        row.organization_version,
        row.actor,
        row.correlation_id,
        row.data,
    )


def body(row: Any) -> bytes:
    """The published body of a row of `next_batch`, whose `data` is the JSON text stored:
    spliced in as it is, not parsed and written again (a fifth of the relay's CPU)."""
    published = envelope(row)
    published["data"] = orjson.Fragment(row.data)
    return encode(published)


# What an envelope is made of, and what the relay publishes it under.
_EVENT_COLUMNS = (
    outbox.c.id,
    outbox.c.event_id,
    outbox.c.event_type,
    outbox.c.subject,
    outbox.c.occurred_at,
    outbox.c.recorded_at,
    outbox.c.organization_id,
    outbox.c.organization_version,
    outbox.c.actor,
    outbox.c.correlation_id,
)


def _numbered(chosen: Any, data: Any = outbox.c.data) -> Any:
    """The outbox rows of the subquery `chosen` (its `sequence`, `outbox_id` and any other
    columns), in sequence order, with `data` as the event's data. Each row is fetched by its
    id: joined to the whole outbox, which is kept forever, the planner could choose to read all
    of it. (`LIMIT 1`, true of an id anyway, keeps PostgreSQL from turning the lateral subquery
    back into such a join.)"""
    event = (
        select(*_EVENT_COLUMNS, data.label("data"))
        .where(outbox.c.id == chosen.c.outbox_id)
        .limit(1)
        .lateral()
    )
    return (
        select(
            chosen.c.sequence,
            *event.c,
            *(column for column in chosen.c if column.name not in ("sequence", "outbox_id")),
        )
        .select_from(chosen)
        .join(event, true())
        .order_by(chosen.c.sequence)
    )


# Every numbered event up to here is settled: published, or set aside in `outbox_held`.
_SETTLED_THROUGH = select(
    func.coalesce(func.max(outbox_publications.c.through_sequence), 0)
).scalar_subquery()

_HELD_SEQUENCE = outbox_sequence.c.sequence == outbox_held.c.sequence

# Held events an operator gave back to the relay: they wait to be published again.
_RETRIED = outbox_held.c.held_at.is_(None)


def next_batch(batch: int) -> Any:
    """The next rows to publish, in sequence order: those an operator gave back (`retry`), then
    those past the last settled batch. Each row says whether it was `retried`; its `data` is
    the JSON text stored (`body` publishes it)."""
    retried = (
        select(outbox_sequence.c.sequence, outbox_sequence.c.outbox_id, true().label("retried"))
        .join_from(outbox_held, outbox_sequence, _HELD_SEQUENCE)
        .where(_RETRIED)
        .order_by(outbox_sequence.c.sequence)
        .limit(batch)
    )
    fresh = (
        select(outbox_sequence.c.sequence, outbox_sequence.c.outbox_id, false().label("retried"))
        .where(outbox_sequence.c.sequence > _SETTLED_THROUGH)
        .order_by(outbox_sequence.c.sequence)
        .limit(batch)
    )
    return _numbered(union_all(retried, fresh).subquery(), outbox.c.data.cast(String)).limit(batch)


async def unpublished(conn: AsyncConnection, batch: int) -> list[Any]:
    """The rows of `next_batch`."""
    return list(await conn.execute(next_batch(batch)))


async def hold(conn: AsyncConnection, held: dict[int, str]) -> None:
    """Set events aside (by sequence) with the reason they cannot be published."""
    if not held:
        return
    rows = [
        {"sequence": sequence, "held_reason": reason[:2000]} for sequence, reason in held.items()
    ]
    statement = insert(outbox_held).values(held_at=func.now())
    await conn.execute(
        statement.on_conflict_do_update(
            index_elements=[outbox_held.c.sequence],
            set_={"held_at": func.now(), "held_reason": statement.excluded.held_reason},
        ),
        rows,
    )


async def mark_published(conn: AsyncConnection, retried: list[int], through: int | None) -> None:
    """Record a batch JetStream acknowledged: the `retried` events it published are no longer
    held, and every event up to `through` (when the batch went past the last settled one) is
    settled."""
    if retried:
        await conn.execute(delete(outbox_held).where(outbox_held.c.sequence.in_(retried)))
    if through is not None:
        await conn.execute(
            insert(outbox_publications).values(through_sequence=through, published_at=func.now())
        )


_WAITING = and_(outbox_held.c.held_at.is_not(None), outbox_held.c.dead_lettered_at.is_(None))


async def held_rows(conn: AsyncConnection, *, dead_lettered: bool = False) -> list[Any]:
    """Rows set aside, oldest first: waiting for an operator, or also those dead-lettered."""
    query = (
        select(
            outbox_held.c.sequence,
            outbox.c.event_id,
            outbox.c.event_type,
            outbox.c.organization_id,
            outbox.c.organization_version,
            # as `jsonb` prints it, as it did when the column was `jsonb` (migration 0009)
            func.octet_length(outbox.c.data.cast(JSONB).cast(String)).label("data_bytes"),
            outbox_held.c.held_at,
            outbox_held.c.held_reason,
            outbox_held.c.dead_lettered_at,
        )
        .join_from(outbox_held, outbox_sequence, _HELD_SEQUENCE)
        .join(outbox, outbox.c.id == outbox_sequence.c.outbox_id)
        .where(outbox_held.c.held_at.is_not(None))
    )
    if not dead_lettered:
        query = query.where(outbox_held.c.dead_lettered_at.is_(None))
    return list(await conn.execute(query.order_by(outbox_held.c.sequence)))


async def held_count(conn: AsyncConnection) -> int:
    return int(await conn.scalar(select(func.count()).where(_WAITING)) or 0)


def _chosen(sequences: list[int] | None) -> Any:
    return _WAITING if sequences is None else and_(_WAITING, outbox_held.c.sequence.in_(sequences))


async def retry(conn: AsyncConnection, sequences: list[int] | None) -> list[int]:
    """Give held rows (all when `sequences` is None) back to the relay; returns their sequences."""
    result = await conn.execute(
        update(outbox_held)
        .where(_chosen(sequences))
        .values(held_at=None, held_reason=None)
        .returning(outbox_held.c.sequence)
    )
    return sorted(result.scalars())


async def dead_letter(conn: AsyncConnection, sequences: list[int] | None) -> list[int]:
    """Give up publishing held rows; they stay readable in the change log (GET /v1/changes)."""
    result = await conn.execute(
        update(outbox_held)
        .where(_chosen(sequences))
        .values(dead_lettered_at=func.now())
        .returning(outbox_held.c.sequence)
    )
    return sorted(result.scalars())


async def page(conn: AsyncConnection, after: int, limit: int) -> list[dict[str, Any]]:
    sequences = (
        select(outbox_sequence.c.sequence, outbox_sequence.c.outbox_id)
        .where(outbox_sequence.c.sequence > after)
        .order_by(outbox_sequence.c.sequence)
        .limit(limit)
        .subquery()
    )
    return [envelope(row) for row in await conn.execute(_numbered(sequences))]


async def head(conn: AsyncConnection) -> int:
    """The newest change committed, numbered by the relay or not yet (0: none): a reader that
    saw the same head twice saw the same register. Ids are taken when a write inserts, so a
    write still open when the head is read and committed after it has a smaller id (tell-tale
    only for that moment)."""
    return int(await conn.scalar(select(func.coalesce(func.max(outbox.c.id), 0))) or 0)


async def correlated(
    conn: AsyncConnection, correlation_ids: list[str], limit: int
) -> list[dict[str, Any]]:
    """The changes committed under any of `correlation_ids`, in commit order, numbered by the
    relay or not yet: a client that lost the answer to a write learns from it what was applied."""
    rows = await conn.execute(
        select(
            outbox.c.correlation_id,
            outbox.c.organization_id,
            outbox.c.organization_version,
            outbox.c.event_type,
        )
        .where(outbox.c.correlation_id.in_(correlation_ids))
        .order_by(outbox.c.id)
        .limit(limit)
    )
    return [
        {
            "correlation_id": row.correlation_id,
            "organization_id": str(row.organization_id),
            "organization_version": row.organization_version,
            "event_type": row.event_type,
        }
        for row in rows
    ]


async def backlog(conn: AsyncConnection) -> tuple[int, float]:
    """Rows waiting to be published (not those set aside), and the age in seconds of the oldest:
    those not numbered yet, those past the last settled batch, and those given back by `retry`."""
    waiting = union_all(
        select(outbox_unnumbered.c.id),
        select(outbox_sequence.c.outbox_id).where(outbox_sequence.c.sequence > _SETTLED_THROUGH),
        select(outbox_sequence.c.outbox_id)
        .join_from(outbox_held, outbox_sequence, _HELD_SEQUENCE)
        .where(_RETRIED),
    ).subquery()
    recorded = select(outbox.c.recorded_at).where(outbox.c.id == waiting.c.id).limit(1).lateral()
    row = (
        await conn.execute(
            select(func.count(), func.min(recorded.c.recorded_at))
            .select_from(waiting)
            .join(recorded, true())
        )
    ).one()
    count, oldest = row
    now = await conn.scalar(select(func.now()))
    return int(count), (now - oldest).total_seconds() if oldest else 0.0


class BacklogTooOld(NotReady):
    """Events wait too long to be published: the relay or NATS is down or stuck."""


async def check_backlog(conn: AsyncConnection, max_age_seconds: float) -> None:
    count, oldest = await backlog(conn)
    if oldest > max_age_seconds:
        raise BacklogTooOld(
            Text(
                "registry.backlog_too_old",
                count=count,
                oldest=f"{oldest:.0f}",
                limit=f"{max_age_seconds:.0f}",
            )
        )
