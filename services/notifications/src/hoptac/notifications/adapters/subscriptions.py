"""Subscriptions in PostgreSQL: an agency's URL, its filters and its signing secrets."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

from sqlalchemy import text
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncConnection

from hoptac.notifications.adapters.event_store import MATCHES, lock_watermark
from hoptac.notifications.domain.filters import EventFilter


@dataclass(frozen=True)
class Subscription:
    id: UUID
    owner: str
    url: str
    description: str | None
    filter: EventFilter
    enabled: bool
    disabled_reason: str | None
    disabled_by: str | None  # owner, admin, receiver (410 Gone) or revoked
    starts_after: int
    created_at: datetime
    updated_at: datetime
    previous_secret_until: datetime | None

    def public(self) -> dict[str, Any]:
        return {
            "id": str(self.id),
            "owner": self.owner,
            "url": self.url,
            "description": self.description,
            **self.filter.as_lists(),
            "enabled": self.enabled,
            "disabled_reason": self.disabled_reason,
            "disabled_by": self.disabled_by,
            "starts_after": self.starts_after,
            "created_at": self.created_at.isoformat(),
            "updated_at": self.updated_at.isoformat(),
            "previous_secret_valid_until": (
                self.previous_secret_until.isoformat() if self.previous_secret_until else None
            ),
        }


COLUMNS = (
    "id, owner, url, description, event_types, provinces, kinds, sectors, enabled, "
    "disabled_reason, disabled_by, starts_after, created_at, updated_at, previous_secret_until"
)


def _from_row(row: Row[Any]) -> Subscription:
    return Subscription(
        id=row.id,
        owner=row.owner,
        url=row.url,
        description=row.description,
        filter=EventFilter(
            frozenset(row.event_types),
            frozenset(row.provinces),
            frozenset(row.kinds),
            frozenset(row.sectors),
        ),
        enabled=row.enabled,
        disabled_reason=row.disabled_reason,
        disabled_by=row.disabled_by,
        starts_after=row.starts_after,
        created_at=row.created_at,
        updated_at=row.updated_at,
        previous_secret_until=row.previous_secret_until,
    )


async def create(
    conn: AsyncConnection,
    owner: str,
    url: str,
    description: str | None,
    wanted: EventFilter,
    secret: str,
    owner_token: str,
) -> Subscription:
    """A new subscription receives every matching event stored after it was created.

    Holding the watermark lock keeps the event writer out while we choose where to start,
    so no event falls between "stored before" and "fanned out after".
    """
    through = await lock_watermark(conn)
    row = (
        await conn.execute(
            text(f"""
            INSERT INTO subscriptions (id, owner, url, description, event_types, provinces,
                                       kinds, sectors, secret, starts_after, owner_token)
            VALUES (:id, :owner, :url, :description, :event_types, :provinces, :kinds,
                    :sectors, :secret, :starts_after, :owner_token)
            RETURNING {COLUMNS}
            """),
            {
                "id": uuid4(),
                "owner": owner,
                "url": url,
                "description": description,
                **wanted.as_lists(),
                "secret": secret,
                "starts_after": through,
                "owner_token": owner_token,
            },
        )
    ).one()
    # Events already stored beyond a hole in the log are past the watermark: they are this
    # subscription's too.
    await conn.execute(
        text(f"""
        INSERT INTO deliveries (subscription_id, sequence, organization_id, webhook_id)
        SELECT s.id, e.sequence, e.organization_id, e.event_id::text
        FROM events e JOIN subscriptions s ON s.id = :id AND {MATCHES}
        WHERE e.sequence > :through ORDER BY e.sequence
        ON CONFLICT DO NOTHING
        """),
        {"id": row.id, "through": through},
    )
    return _from_row(row)


async def lock_owner(conn: AsyncConnection, owner: str) -> None:
    """Serialises one agency's counted actions (new subscriptions, replays) until commit, so
    that two requests at once cannot both pass a limit."""
    await conn.execute(
        text("SELECT pg_advisory_xact_lock(hashtext('notifications-owner:' || :owner))"),
        {"owner": owner},
    )


async def count_for(conn: AsyncConnection, owner: str) -> int:
    found = await conn.scalar(
        text("SELECT count(*) FROM subscriptions WHERE owner = :owner"), {"owner": owner}
    )
    return int(found or 0)


async def adopt_token(conn: AsyncConnection, owner: str, owner_token: str) -> None:
    """Subscriptions made before owners' tokens were kept take the owner's token now."""
    await conn.execute(
        text(
            "UPDATE subscriptions SET owner_token = :token "
            "WHERE owner = :owner AND owner_token IS NULL"
        ),
        {"owner": owner, "token": owner_token},
    )


async def get(
    conn: AsyncConnection, subscription_id: UUID, owner: str | None
) -> Subscription | None:
    """`owner=None` finds any subscription (operators' CLI); otherwise only the owner's."""
    row = (
        await conn.execute(
            text(
                f"SELECT {COLUMNS} FROM subscriptions WHERE id = :id "
                "AND (CAST(:owner AS TEXT) IS NULL OR owner = :owner)"
            ),
            {"id": subscription_id, "owner": owner},
        )
    ).one_or_none()
    return _from_row(row) if row else None


async def list_for(conn: AsyncConnection, owner: str | None) -> list[Subscription]:
    """`owner=None`: every agency's."""
    rows = await conn.execute(
        text(
            f"SELECT {COLUMNS} FROM subscriptions "
            "WHERE CAST(:owner AS TEXT) IS NULL OR owner = :owner ORDER BY created_at, id"
        ),
        {"owner": owner},
    )
    return [_from_row(r) for r in rows]


async def update(
    conn: AsyncConnection,
    subscription_id: UUID,
    url: str | None,
    description: str | None,
    wanted: EventFilter | None,
    enabled: bool | None,
    disabled_by: str = "owner",
    disabled_reason: str = "paused by its owner",
) -> Subscription:
    sets = ["updated_at = now()"]
    params: dict[str, Any] = {"id": subscription_id}
    if url is not None:
        sets.append("url = :url")
        params["url"] = url
    if description is not None:
        sets.append("description = :description")
        params["description"] = description
    if wanted is not None:
        sets.append(
            "event_types = :event_types, provinces = :provinces, kinds = :kinds, sectors = :sectors"
        )
        params.update(wanted.as_lists())
    if enabled is not None:
        sets.append("enabled = :enabled")
        sets.append("disabled_reason = CASE WHEN :enabled THEN NULL ELSE :reason END")
        sets.append("disabled_by = CASE WHEN :enabled THEN NULL ELSE :by END")
        params.update(enabled=enabled, reason=disabled_reason, by=disabled_by)
    row = (
        await conn.execute(
            text(f"UPDATE subscriptions SET {', '.join(sets)} WHERE id = :id RETURNING {COLUMNS}"),
            params,
        )
    ).one()
    return _from_row(row)


async def delete(conn: AsyncConnection, subscription_id: UUID) -> None:
    await conn.execute(text("DELETE FROM subscriptions WHERE id = :id"), {"id": subscription_id})


async def rotate_secret(
    conn: AsyncConnection, subscription_id: UUID, secret: str, overlap: timedelta
) -> Subscription:
    """The old secret keeps signing (beside the new one) until the overlap ends."""
    row = (
        await conn.execute(
            text(f"""
            UPDATE subscriptions SET previous_secret = secret, secret = :secret,
                previous_secret_until = now() + :overlap, updated_at = now()
            WHERE id = :id RETURNING {COLUMNS}
            """),
            {"id": subscription_id, "secret": secret, "overlap": overlap},
        )
    ).one()
    return _from_row(row)


async def disable_revoked(conn: AsyncConnection, owners: list[str]) -> int:
    """Every subscription of these owners stops: their registry tokens were revoked (or have
    expired: the registry no longer knows them either way)."""
    result = await conn.execute(
        text("""
        UPDATE subscriptions SET enabled = false, disabled_by = 'revoked', updated_at = now(),
            disabled_reason = 'the registry token of its owner (' || owner || ') was revoked '
                || 'or has expired'
        WHERE owner = ANY (CAST(:owners AS TEXT[])) AND disabled_by IS DISTINCT FROM 'revoked'
        """),
        {"owners": owners},
    )
    return int(result.rowcount)
