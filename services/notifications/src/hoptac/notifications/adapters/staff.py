"""Staff who receive e-mail, and what their e-mail is made of (changes, unverified records)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from hoptac.contracts.codes import FINAL_STATUSES
from hoptac.notifications.domain.staff_mail import Change, StaffArea, Unverified


@dataclass(frozen=True)
class Recipient:
    email: str
    name: str
    role: str
    area: StaffArea
    digest: bool
    reminders: bool
    digest_after_sequence: int | None
    last_digest_on: date | None
    last_reminder_on: date | None

    def public(self) -> dict[str, Any]:
        return {
            "email": self.email,
            "name": self.name,
            "role": self.role,
            "provinces": sorted(self.area.provinces),
            "communes": sorted(self.area.communes),
            "digest": self.digest,
            "reminders": self.reminders,
            "last_digest_on": self.last_digest_on.isoformat() if self.last_digest_on else None,
            "last_reminder_on": (
                self.last_reminder_on.isoformat() if self.last_reminder_on else None
            ),
        }


async def upsert(
    conn: AsyncConnection,
    email: str,
    name: str,
    role: str,
    provinces: list[str],
    communes: list[str],
    digest: bool,
    reminders: bool,
) -> None:
    """A new recipient's first digest covers what is stored from now on."""
    await conn.execute(
        text("""
        INSERT INTO staff_recipients (email, name, role, provinces, communes, digest, reminders,
                                      digest_after_sequence)
        VALUES (:email, :name, :role, :provinces, :communes, :digest, :reminders,
                (SELECT contiguous_through FROM feed_state WHERE id = 1))
        ON CONFLICT (email) DO UPDATE SET name = EXCLUDED.name, role = EXCLUDED.role,
            provinces = EXCLUDED.provinces, communes = EXCLUDED.communes,
            digest = EXCLUDED.digest, reminders = EXCLUDED.reminders
        """),
        {
            "email": email,
            "name": name,
            "role": role,
            "provinces": provinces,
            "communes": communes,
            "digest": digest,
            "reminders": reminders,
        },
    )


async def remove(conn: AsyncConnection, email: str) -> bool:
    result = await conn.execute(
        text("DELETE FROM staff_recipients WHERE email = :email"), {"email": email}
    )
    return result.rowcount > 0


async def all_recipients(conn: AsyncConnection) -> list[Recipient]:
    rows = await conn.execute(text("SELECT * FROM staff_recipients ORDER BY email"))
    return [
        Recipient(
            email=r.email,
            name=r.name,
            role=r.role,
            area=StaffArea(frozenset(r.provinces), frozenset(r.communes)),
            digest=r.digest,
            reminders=r.reminders,
            digest_after_sequence=r.digest_after_sequence,
            last_digest_on=r.last_digest_on,
            last_reminder_on=r.last_reminder_on,
        )
        for r in rows
    ]


async def changes_between(conn: AsyncConnection, after: int, through: int) -> list[Change]:
    rows = await conn.execute(
        text("""
        SELECT sequence, event_type, recorded_at, organization_id, province_code, commune_code,
               payload::jsonb -> 'data' -> 'record' ->> 'name' AS name,
               payload::jsonb -> 'data' -> 'record' ->> 'registration_number' AS number,
               payload::jsonb -> 'data' -> 'record' ->> 'status' AS status,
               ARRAY(SELECT f ->> 'field'
                     FROM jsonb_array_elements(payload::jsonb -> 'data' -> 'changed_fields') f)
                 AS fields
        FROM events WHERE sequence > :after AND sequence <= :through ORDER BY sequence
        """),
        {"after": after, "through": through},
    )
    return [
        Change(
            sequence=r.sequence,
            event_type=r.event_type,
            recorded_at=r.recorded_at,
            organization_id=str(r.organization_id),
            name=r.name,
            registration_number=r.number,
            province_code=r.province_code,
            commune_code=r.commune_code,
            status=r.status,
            changed_fields=tuple(r.fields or ()),
        )
        for r in rows
    ]


async def unverified_since(conn: AsyncConnection, before: date) -> list[Unverified]:
    """Records still in force whose last verification is before `before` (or never)."""
    rows = await conn.execute(
        text("""
        SELECT id, name, registration_number, province_code, commune_code, status,
               last_verified_on
        FROM organizations
        WHERE NOT removed AND status <> ALL(CAST(:final AS text[]))
          AND (last_verified_on IS NULL OR last_verified_on < :before)
        ORDER BY last_verified_on NULLS FIRST, name
        """),
        {"before": before, "final": sorted(s.value for s in FINAL_STATUSES)},
    )
    return [
        Unverified(
            organization_id=str(r.id),
            name=r.name,
            registration_number=r.registration_number,
            province_code=r.province_code,
            commune_code=r.commune_code,
            status=r.status,
            last_verified_on=r.last_verified_on,
        )
        for r in rows
    ]


async def mark_digest_sent(conn: AsyncConnection, email: str, through: int, day: date) -> None:
    await conn.execute(
        text(
            "UPDATE staff_recipients SET digest_after_sequence = :through, last_digest_on = :day "
            "WHERE email = :email"
        ),
        {"email": email, "through": through, "day": day},
    )


async def mark_reminder_sent(conn: AsyncConnection, email: str, day: date) -> None:
    await conn.execute(
        text("UPDATE staff_recipients SET last_reminder_on = :day WHERE email = :email"),
        {"email": email, "day": day},
    )
