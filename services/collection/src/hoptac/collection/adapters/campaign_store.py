"""Annual update campaigns in PostgreSQL, and their progress read from the register kept from
the registry's events (quality_records, quality_changes). Inside the caller's transaction."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from hoptac.collection.domain.campaigns import CommuneProgress
from hoptac.contracts.codes import FINAL_STATUSES

# A record of the campaign's province in force, registered by the deadline (r), with its
# changes of the campaign's year (c); updated: a change recorded, or a verification, from
# 1 January to the deadline (false, not null, when neither is known).
IN_SCOPE = """
    FROM quality_records r
    LEFT JOIN quality_changes c
      ON c.organization_id = r.organization_id AND c.year = :year
    WHERE NOT r.removed AND r.province_code = :province AND r.registered_on <= :deadline
      AND r.status <> ALL(:final)
      AND (CAST(:communes AS TEXT[]) IS NULL OR r.commune_code = ANY(:communes))
"""
UPDATED = """COALESCE(c.first_on <= :deadline
              OR r.last_verified_on BETWEEN make_date(:year, 1, 1) AND :deadline, false)"""


async def add(conn: AsyncConnection, values: dict[str, Any]) -> bool:
    """False when the year and province have a campaign already."""
    result = await conn.execute(
        text("""
        INSERT INTO campaigns (id, year, province_code, deadline, created_by, created_at)
        VALUES (:id, :year, :province_code, :deadline, :created_by, :created_at)
        ON CONFLICT (year, province_code) DO NOTHING
        """),
        values,
    )
    return bool(result.rowcount)


async def get(conn: AsyncConnection, campaign_id: UUID, for_update: bool = False) -> Any | None:
    lock = " FOR UPDATE" if for_update else ""
    rows = await conn.execute(
        text(f"SELECT * FROM campaigns WHERE id = :id{lock}"), {"id": campaign_id}
    )
    return rows.first()


async def listed(conn: AsyncConnection, provinces: list[str] | None) -> list[Any]:
    rows = await conn.execute(
        text("""
        SELECT * FROM campaigns
        WHERE CAST(:provinces AS TEXT[]) IS NULL OR province_code = ANY(:provinces)
        ORDER BY year DESC, province_code
        """),
        {"provinces": provinces},
    )
    return list(rows)


def _scope(campaign: Any, communes: list[str] | None) -> dict[str, Any]:
    return {
        "year": campaign.year,
        "province": campaign.province_code,
        "deadline": campaign.deadline,
        "final": sorted(s.value for s in FINAL_STATUSES),
        "communes": communes,
        "campaign": campaign.id,
    }


async def progress(
    conn: AsyncConnection, campaign: Any, communes: list[str] | None
) -> list[CommuneProgress]:
    rows = await conn.execute(
        text(f"""
        SELECT r.commune_code, count(*) AS in_scope,
               count(*) FILTER (WHERE {UPDATED}) AS updated,
               count(*) FILTER (WHERE EXISTS (
                   SELECT 1 FROM lapsed_records l
                   WHERE l.campaign_id = :campaign AND l.organization_id = r.organization_id
                     AND l.cleared_at IS NULL)) AS lapsed
        {IN_SCOPE}
        GROUP BY r.commune_code ORDER BY r.commune_code NULLS LAST
        """),
        _scope(campaign, communes),
    )
    return [CommuneProgress(r.commune_code, r.in_scope, r.updated, r.lapsed) for r in rows]


async def lapse(conn: AsyncConnection, campaign: Any, at: datetime) -> int:
    """Mark lapsed every record in scope not updated; returns how many."""
    result = await conn.execute(
        text(f"""
        INSERT INTO lapsed_records (campaign_id, organization_id, lapsed_at)
        SELECT :campaign, r.organization_id, :at
        {IN_SCOPE} AND NOT {UPDATED}
        ON CONFLICT DO NOTHING
        """),
        {**_scope(campaign, None), "at": at},
    )
    return int(result.rowcount)


async def close(conn: AsyncConnection, campaign_id: UUID, at: datetime, by: str) -> None:
    await conn.execute(
        text("UPDATE campaigns SET closed_at = :at, closed_by = :by WHERE id = :id"),
        {"id": campaign_id, "at": at, "by": by},
    )


async def reminded(conn: AsyncConnection, campaign_id: UUID, at: datetime) -> None:
    await conn.execute(
        text("UPDATE campaigns SET last_reminded_at = :at WHERE id = :id"),
        {"id": campaign_id, "at": at},
    )


async def due(conn: AsyncConnection, today: date) -> list[UUID]:
    """Open campaigns whose deadline has passed."""
    rows = await conn.execute(
        text("SELECT id FROM campaigns WHERE closed_at IS NULL AND deadline < :today"),
        {"today": today},
    )
    return [row.id for row in rows]


async def with_reminders_left(conn: AsyncConnection, since: date) -> list[Any]:
    """Campaigns whose deadline is `since` or later."""
    rows = await conn.execute(
        text("SELECT * FROM campaigns WHERE deadline >= :since ORDER BY deadline, province_code"),
        {"since": since},
    )
    return list(rows)


async def claim_reminder(conn: AsyncConnection, values: dict[str, Any]) -> int | None:
    """The row of a scheduled reminder, or None when the campaign's area has one for that day
    already. A second process inserting the same day waits here until the first commits (then
    gets None) or rolls back (then takes it over)."""
    result = await conn.execute(
        text("""
        INSERT INTO campaign_reminders (campaign_id, province_code, due_on, kind, sent_at,
            sent_by, not_updated, recipients, sent, failed)
        VALUES (:campaign_id, :province_code, :due_on, :kind, :sent_at, :sent_by, :not_updated,
            0, 0, 0)
        ON CONFLICT (campaign_id, province_code, due_on) WHERE due_on IS NOT NULL DO NOTHING
        RETURNING id
        """),
        values,
    )
    return result.scalar_one_or_none()


async def add_reminder(conn: AsyncConnection, values: dict[str, Any]) -> int:
    """A reminder staff asked for (no day of the schedule)."""
    result = await conn.execute(
        text("""
        INSERT INTO campaign_reminders (campaign_id, province_code, due_on, kind, sent_at,
            sent_by, not_updated, recipients, sent, failed)
        VALUES (:campaign_id, :province_code, NULL, 'asked', :sent_at, :sent_by, :not_updated,
            0, 0, 0)
        RETURNING id
        """),
        values,
    )
    return int(result.scalar_one())


async def reminder_answered(
    conn: AsyncConnection, reminder_id: int, at: datetime, answer: dict[str, Any]
) -> None:
    """What the notifications service said it did, and the campaign's last reminder."""
    row = (
        await conn.execute(
            text("""
            UPDATE campaign_reminders SET sent_at = :at, recipients = :recipients, sent = :sent,
                failed = :failed
            WHERE id = :id RETURNING campaign_id
            """),
            {
                "id": reminder_id,
                "at": at,
                "recipients": int(answer.get("recipients", 0)),
                "sent": int(answer.get("sent", 0)),
                "failed": int(answer.get("failed", 0)),
            },
        )
    ).one()
    await reminded(conn, row.campaign_id, at)


async def reminders_of(conn: AsyncConnection, campaign_id: UUID) -> list[Any]:
    rows = await conn.execute(
        text(
            "SELECT * FROM campaign_reminders WHERE campaign_id = :id "
            "ORDER BY sent_at DESC, id DESC"
        ),
        {"id": campaign_id},
    )
    return list(rows)
