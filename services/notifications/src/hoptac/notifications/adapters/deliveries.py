"""Delivery rows: claimed with FOR UPDATE SKIP LOCKED, in order per (subscription, organisation),
a bounded number in flight per subscription; every attempt logged.

States: pending → delivering (leased to one worker) → delivered | pending (retry) | failed.
A lease that runs out (the worker died) puts the row back to pending.

An attempt is written to the log, as `sending`, in the same transaction that claims it, and that
commit is durable before the request leaves: if the worker or PostgreSQL dies before the answer
is recorded, the log still shows the attempt (as `interrupted` once it is taken back), so it
lists every request a receiver may have seen.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from hoptac.notifications.adapters.event_store import MATCHES
from hoptac.notifications.domain.retry import Decision, Outcome


@dataclass(frozen=True)
class Claimed:
    id: int
    attempt_id: int  # its row in the attempt log, written before sending
    subscription_id: UUID
    sequence: int
    webhook_id: str
    attempts: int  # attempts made before this one, in the current round
    url: str
    secrets: tuple[str, ...]  # newest first
    payload: str
    created_at: datetime
    owner: str
    owner_token: str | None  # sealed; None for subscriptions older than owners' tokens


INTERRUPTED = (
    "the worker or the database stopped before the answer was recorded; the receiver may have "
    "received this attempt"
)

# Deliveries that were in flight go back to pending; their attempts, never answered as far as
# the log knows, are marked interrupted.
TAKE_BACK = """
WITH taken AS (
    UPDATE deliveries SET status = 'pending', lease_until = NULL
    WHERE status = 'delivering' {condition}
    RETURNING id
)
UPDATE delivery_attempts a SET outcome = 'interrupted', error = :interrupted
FROM taken WHERE a.delivery_id = taken.id AND a.outcome = 'sending'
RETURNING a.delivery_id
"""
RELEASE_EXPIRED = text(TAKE_BACK.format(condition="AND lease_until < clock_timestamp()"))
RECOVER_ALL = text(TAKE_BACK.format(condition=""))

# One statement: the room each enabled subscription has left, then per subscription the first
# due rows whose organisation has nothing earlier still open, locked and leased.
CLAIM = text("""
WITH room AS (
    SELECT s.id, :per_subscription - count(busy.id) AS room
    FROM subscriptions s
    LEFT JOIN deliveries busy ON busy.subscription_id = s.id AND busy.status = 'delivering'
    WHERE s.enabled
    GROUP BY s.id
    HAVING count(busy.id) < :per_subscription
),
picked AS (
    SELECT p.id
    FROM room CROSS JOIN LATERAL (
        SELECT d.id FROM deliveries d
        WHERE d.subscription_id = room.id AND d.status = 'pending'
          AND d.next_attempt_at <= clock_timestamp()
          AND NOT EXISTS (
              SELECT 1 FROM deliveries earlier
              WHERE earlier.subscription_id = d.subscription_id
                AND earlier.organization_id = d.organization_id
                AND earlier.status IN ('pending', 'delivering')
                AND earlier.sequence < d.sequence)
        ORDER BY d.next_attempt_at, d.sequence
        LIMIT room.room
        FOR UPDATE OF d SKIP LOCKED
    ) p
    LIMIT :limit
),
claimed AS (
    UPDATE deliveries d SET status = 'delivering',
        lease_until = clock_timestamp() + make_interval(secs => :lease),
        attempts = d.attempts + 1, total_attempts = d.total_attempts + 1,
        first_attempt_at = coalesce(d.first_attempt_at, clock_timestamp()),
        last_attempt_at = clock_timestamp()
    FROM picked, events e, subscriptions s
    WHERE d.id = picked.id AND e.sequence = d.sequence AND s.id = d.subscription_id
    RETURNING d.id, d.subscription_id, d.sequence, d.webhook_id, d.attempts - 1 AS attempts,
              d.created_at, d.last_attempt_at, s.url, s.secret, s.previous_secret,
              s.owner, s.owner_token,
              (s.previous_secret_until > clock_timestamp()) AS overlap, e.payload
),
logged AS (
    INSERT INTO delivery_attempts (delivery_id, attempted_at, duration_ms, outcome)
    SELECT id, last_attempt_at, 0, 'sending' FROM claimed
    RETURNING id AS attempt_id, delivery_id
)
SELECT claimed.*, logged.attempt_id FROM claimed JOIN logged ON logged.delivery_id = claimed.id
""")


WORKERS_LOCK = 7_426_001  # pg advisory lock: shared by every live delivery worker


async def recover_orphans(presence: AsyncConnection) -> int:
    """On an autocommit connection kept open by a starting worker: if no other worker holds the
    shared lock, every delivery still marked as in flight belonged to a dead one and is pending
    again. Then take the shared lock for this worker's lifetime. Returns the rows recovered."""
    recovered = 0
    if await presence.scalar(text("SELECT pg_try_advisory_lock(:k)"), {"k": WORKERS_LOCK}):
        result = await presence.execute(RECOVER_ALL, {"interrupted": INTERRUPTED})
        recovered = len(result.all())
        await presence.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": WORKERS_LOCK})
    await presence.execute(text("SELECT pg_advisory_lock_shared(:k)"), {"k": WORKERS_LOCK})
    return recovered


async def release_expired(conn: AsyncConnection) -> int:
    """Leases that ran out (their worker died) go back to pending."""
    return len((await conn.execute(RELEASE_EXPIRED, {"interrupted": INTERRUPTED})).all())


async def claim(
    conn: AsyncConnection, limit: int, per_subscription: int, lease_seconds: float
) -> list[Claimed]:
    if limit <= 0:
        return []
    rows = await conn.execute(
        CLAIM,
        {"per_subscription": per_subscription, "limit": limit, "lease": lease_seconds},
    )
    claimed = [
        Claimed(
            id=r.id,
            attempt_id=r.attempt_id,
            subscription_id=r.subscription_id,
            sequence=r.sequence,
            webhook_id=r.webhook_id,
            attempts=r.attempts,
            url=r.url,
            secrets=(r.secret, r.previous_secret)
            if r.overlap and r.previous_secret
            else (r.secret,),
            payload=r.payload,
            created_at=r.created_at,
            owner=r.owner,
            owner_token=r.owner_token,
        )
        for r in rows
    ]
    return sorted(claimed, key=lambda c: c.sequence)


async def unclaim(conn: AsyncConnection, claimed: Sequence[Claimed]) -> None:
    """Claimed deliveries that will not be sent after all (their owner's token was revoked):
    their attempts, logged but never made, are taken out again, and they wait as pending."""
    if not claimed:
        return
    await conn.execute(
        text("DELETE FROM delivery_attempts WHERE id = ANY (CAST(:ids AS BIGINT[]))"),
        {"ids": [c.attempt_id for c in claimed]},
    )
    await conn.execute(
        text("""
        UPDATE deliveries d SET status = 'pending', lease_until = NULL,
            attempts = d.attempts - 1, total_attempts = d.total_attempts - 1,
            first_attempt_at = CASE WHEN d.total_attempts > 1 THEN d.first_attempt_at END,
            last_attempt_at = (SELECT max(a.attempted_at) FROM delivery_attempts a
                               WHERE a.delivery_id = d.id)
        WHERE d.id = ANY (CAST(:ids AS BIGINT[])) AND d.status = 'delivering'
        """),
        {"ids": [c.id for c in claimed]},
    )


@dataclass(frozen=True)
class Attempt:
    status_code: int | None
    error: str | None
    duration_ms: float


STATUS_AFTER = {
    Outcome.DELIVERED: "delivered",
    Outcome.RETRY: "pending",
    Outcome.FAILED: "failed",
    Outcome.GONE: "failed",
}
GONE = "the receiver answered 410 Gone: the subscription is disabled"

# Two statements for a whole batch of results, whatever its size. The attempts were counted
# and logged when they were claimed; here they get their answers.
RECORD = text("""
WITH result AS (
    SELECT * FROM unnest(CAST(:id AS BIGINT[]), CAST(:attempt AS BIGINT[]),
                         CAST(:status AS TEXT[]), CAST(:next AS TIMESTAMPTZ[]),
                         CAST(:code AS INTEGER[]), CAST(:error AS TEXT[]),
                         CAST(:ms AS DOUBLE PRECISION[]), CAST(:outcome AS TEXT[]))
        AS r(id, attempt, status, next, code, error, ms, outcome)
),
attempts AS (
    UPDATE delivery_attempts a SET status_code = r.code, error = r.error, duration_ms = r.ms,
        outcome = r.outcome
    FROM result r WHERE a.id = r.attempt
)
UPDATE deliveries d SET status = r.status, lease_until = NULL,
    delivered_at = CASE WHEN r.status = 'delivered' THEN clock_timestamp() END,
    next_attempt_at = coalesce(r.next, d.next_attempt_at),
    last_status_code = r.code, last_error = r.error, last_duration_ms = r.ms
FROM result r WHERE d.id = r.id
""")

DISABLE_GONE = text("""
UPDATE subscriptions SET enabled = false, updated_at = now(), disabled_by = 'receiver',
    disabled_reason = 'the receiver answered 410 Gone; enable it again with PATCH when it is back'
WHERE id = ANY (CAST(:ids AS UUID[]))
""")


async def record(
    conn: AsyncConnection, results: Sequence[tuple[Claimed, Attempt, Decision]]
) -> None:
    """The outcome of each attempt on its delivery row, and a row in the attempt log."""
    if not results:
        return
    errors = [
        GONE if decision.outcome is Outcome.GONE else attempt.error
        for _, attempt, decision in results
    ]
    await conn.execute(
        RECORD,
        {
            "id": [delivery.id for delivery, _, _ in results],
            "attempt": [delivery.attempt_id for delivery, _, _ in results],
            "status": [STATUS_AFTER[decision.outcome] for _, _, decision in results],
            "next": [decision.next_attempt_at for _, _, decision in results],
            "code": [attempt.status_code for _, attempt, _ in results],
            "error": errors,
            "ms": [attempt.duration_ms for _, attempt, _ in results],
            "outcome": [decision.outcome.value for _, _, decision in results],
        },
    )
    gone = {d.subscription_id for d, _, decision in results if decision.outcome is Outcome.GONE}
    if gone:
        await conn.execute(DISABLE_GONE, {"ids": list(gone)})


DELIVERY_COLUMNS = """
d.id, d.subscription_id, d.sequence, d.webhook_id, d.status, d.attempts, d.total_attempts,
d.replays, d.next_attempt_at, d.created_at, d.first_attempt_at, d.last_attempt_at,
d.delivered_at, d.last_status_code, d.last_error, d.last_duration_ms, e.event_type,
e.organization_id, e.recorded_at
"""


def delivery_json(row: Any) -> dict[str, Any]:
    def iso(value: datetime | None) -> str | None:
        return value.isoformat() if value else None

    return {
        "id": row.id,
        "subscription_id": str(row.subscription_id),
        "sequence": row.sequence,
        "webhook_id": row.webhook_id,
        "event_type": row.event_type,
        "organization_id": str(row.organization_id),
        "recorded_at": iso(row.recorded_at),
        "status": row.status,
        "attempts": row.total_attempts,
        "attempts_this_round": row.attempts,
        "replays": row.replays,
        "next_attempt_at": iso(row.next_attempt_at) if row.status == "pending" else None,
        "created_at": iso(row.created_at),
        "first_attempt_at": iso(row.first_attempt_at),
        "last_attempt_at": iso(row.last_attempt_at),
        "delivered_at": iso(row.delivered_at),
        "last_status_code": row.last_status_code,
        "last_error": row.last_error,
        "last_duration_ms": row.last_duration_ms,
    }


async def list_for(
    conn: AsyncConnection,
    subscription_id: UUID,
    status: str | None,
    after_id: int,
    limit: int,
) -> list[dict[str, Any]]:
    rows = await conn.execute(
        text(f"""
        SELECT {DELIVERY_COLUMNS} FROM deliveries d JOIN events e ON e.sequence = d.sequence
        WHERE d.subscription_id = :sid AND d.id > :after
          AND (CAST(:status AS TEXT) IS NULL OR d.status = :status)
        ORDER BY d.id LIMIT :limit
        """),
        {"sid": subscription_id, "status": status, "after": after_id, "limit": limit},
    )
    return [delivery_json(r) for r in rows]


async def get(
    conn: AsyncConnection, subscription_id: UUID, delivery_id: int
) -> dict[str, Any] | None:
    row = (
        await conn.execute(
            text(f"""
            SELECT {DELIVERY_COLUMNS} FROM deliveries d JOIN events e ON e.sequence = d.sequence
            WHERE d.subscription_id = :sid AND d.id = :id
            """),
            {"sid": subscription_id, "id": delivery_id},
        )
    ).one_or_none()
    if row is None:
        return None
    attempts = await conn.execute(
        text(
            "SELECT attempted_at, status_code, error, duration_ms, outcome FROM delivery_attempts "
            "WHERE delivery_id = :id ORDER BY id"
        ),
        {"id": delivery_id},
    )
    return {
        **delivery_json(row),
        "attempt_log": [
            {
                "attempted_at": a.attempted_at.isoformat(),
                "status_code": a.status_code,
                "error": a.error,
                "duration_ms": a.duration_ms,
                "outcome": a.outcome,
            }
            for a in attempts
        ],
    }


async def replay_one(conn: AsyncConnection, subscription_id: UUID, delivery_id: int) -> bool:
    """Send it again from a fresh round of attempts; a delivery in flight is left alone."""
    result = await conn.execute(
        text("""
        UPDATE deliveries SET status = 'pending', attempts = 0, replays = replays + 1,
            next_attempt_at = clock_timestamp()
        WHERE subscription_id = :sid AND id = :id AND status <> 'delivering'
        """),
        {"sid": subscription_id, "id": delivery_id},
    )
    return result.rowcount > 0


IN_RANGE = """
    (CAST(:lo AS BIGINT) IS NULL OR e.sequence >= :lo)
    AND (CAST(:hi AS BIGINT) IS NULL OR e.sequence <= :hi)
    AND (CAST(:since AS TIMESTAMPTZ) IS NULL OR e.recorded_at >= :since)
    AND (CAST(:until AS TIMESTAMPTZ) IS NULL OR e.recorded_at < :until)
"""
FIRST_BEYOND = text(f"""
SELECT e.sequence FROM events e JOIN subscriptions s ON s.id = :sid AND {MATCHES}
WHERE {IN_RANGE} ORDER BY e.sequence OFFSET :most LIMIT 1
""")
REPLAY_RANGE = text(f"""
INSERT INTO deliveries AS d (subscription_id, sequence, organization_id, webhook_id)
SELECT s.id, e.sequence, e.organization_id, e.event_id::text
FROM events e JOIN subscriptions s ON s.id = :sid AND {MATCHES}
WHERE {IN_RANGE}
ORDER BY e.sequence
ON CONFLICT (subscription_id, sequence) DO UPDATE SET status = 'pending', attempts = 0,
    replays = d.replays + 1, next_attempt_at = clock_timestamp()
WHERE d.status <> 'delivering'
""")


async def replay_range(
    conn: AsyncConnection,
    subscription_id: UUID,
    from_sequence: int | None,
    to_sequence: int | None,
    since: datetime | None,
    until: datetime | None,
    most: int,
) -> tuple[int, int | None]:
    """The first `most` matching stored events in the range are (re)sent, even ones from before
    the subscription existed. Returns how many deliveries were queued and, when the range held
    more, the sequence to replay from next."""
    bounds = {
        "sid": subscription_id,
        "lo": from_sequence,
        "hi": to_sequence,
        "since": since,
        "until": until,
    }
    beyond = await conn.scalar(FIRST_BEYOND, {**bounds, "most": most})
    if beyond is not None:
        bounds["hi"] = int(beyond) - 1
    result = await conn.execute(REPLAY_RANGE, bounds)
    return int(result.rowcount), None if beyond is None else int(beyond)


async def queue_figures(conn: AsyncConnection) -> tuple[int, float, int]:
    """(deliveries waiting, age in seconds of the oldest due one, deliveries finally failed)."""
    row = (
        await conn.execute(
            text("""
            SELECT
              (SELECT count(*) FROM deliveries WHERE status IN ('pending', 'delivering')) AS depth,
              (SELECT coalesce(extract(epoch FROM clock_timestamp() - min(created_at)), 0)
                 FROM deliveries WHERE status = 'pending'
                 AND next_attempt_at <= clock_timestamp()) AS lag,
              (SELECT count(*) FROM deliveries WHERE status = 'failed') AS failed
            """)
        )
    ).one()
    return int(row.depth), float(row.lag), int(row.failed)


PRUNE_DELIVERED = text("""
DELETE FROM deliveries WHERE id IN (
    SELECT id FROM deliveries
    WHERE status = 'delivered' AND delivered_at < clock_timestamp() - CAST(:age AS INTERVAL)
    LIMIT :batch
)
""")


async def prune_delivered(engine: AsyncEngine, older_than: timedelta, batch: int = 5_000) -> int:
    """Remove deliveries delivered longer ago than `older_than`, with their attempts, in short
    transactions of `batch` rows; returns how many. Failed and waiting ones stay, and so do the
    events: a replay of a range re-creates deliveries from the events."""
    removed = 0
    while True:
        async with engine.begin() as conn:
            count = (
                await conn.execute(PRUNE_DELIVERED, {"age": older_than, "batch": batch})
            ).rowcount
        removed += count
        if count < batch:
            return removed
