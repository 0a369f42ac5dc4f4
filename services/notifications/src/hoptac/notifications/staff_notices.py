"""Staff e-mail: the daily digest of changes in each recipient's area and the reminder about
records not verified for a year. Each recipient's progress is stored, so a digest is sent once
a day, covers every change exactly once, and a failed send is tried again later."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncEngine

from hoptac.contracts.vietnam_time import VIETNAM
from hoptac.notifications.adapters import staff
from hoptac.notifications.adapters.event_store import watermark
from hoptac.notifications.adapters.mailer import Mailer
from hoptac.notifications.domain.staff_mail import (
    Unverified,
    digest_email,
    months_before,
    reminder_email,
)

log = logging.getLogger("hoptac.notifications.staff")


@dataclass(frozen=True)
class StaffOptions:
    portal_url: str = "http://127.0.0.1:8000"
    digest_hour: int = 7
    stale_after_months: int = 12
    reminder_interval_days: int = 7


@dataclass(frozen=True)
class Sent:
    digests: int = 0
    reminders: int = 0


class StaffNotices:
    def __init__(self, engine: AsyncEngine, mailer: Mailer, options: StaffOptions) -> None:
        self.engine = engine
        self.mailer = mailer
        self.options = options

    async def send_digests(self, today: date, force: bool = False) -> int:
        async with self.engine.connect() as conn:
            through = await watermark(conn)
            recipients = await staff.all_recipients(conn)
        sent = 0
        for recipient in recipients:
            if not recipient.digest or (recipient.last_digest_on == today and not force):
                continue
            after = recipient.digest_after_sequence or 0
            async with self.engine.connect() as conn:
                changes = await staff.changes_between(conn, after, through)
            email = digest_email(
                recipient.email,
                recipient.name,
                recipient.area,
                today,
                changes,
                self.options.portal_url,
            )
            try:
                if email is not None:
                    await self.mailer.send(email)
                    sent += 1
            except Exception as error:  # SMTP away: the same digest goes out on the next round
                log.warning("digest to %s not sent: %s", recipient.email, error)
                continue
            async with self.engine.begin() as conn:
                await staff.mark_digest_sent(conn, recipient.email, through, today)
        return sent

    async def send_reminders(self, today: date, force: bool = False) -> int:
        async with self.engine.connect() as conn:
            recipients = await staff.all_recipients(conn)
            stale: list[Unverified] | None = None
            if any(r.reminders for r in recipients):
                cutoff = months_before(today, self.options.stale_after_months)
                stale = await staff.unverified_since(conn, cutoff)
        sent = 0
        interval = timedelta(days=self.options.reminder_interval_days)
        for recipient in recipients:
            if not recipient.reminders or stale is None:
                continue
            last = recipient.last_reminder_on
            if not force and last is not None and today - last < interval:
                continue
            email = reminder_email(
                recipient.email,
                recipient.name,
                recipient.area,
                today,
                stale,
                self.options.stale_after_months,
                self.options.portal_url,
            )
            try:
                if email is not None:
                    await self.mailer.send(email)
                    sent += 1
            except Exception as error:
                log.warning("reminder to %s not sent: %s", recipient.email, error)
                continue
            async with self.engine.begin() as conn:
                await staff.mark_reminder_sent(conn, recipient.email, today)
        return sent

    async def run_due(self, now: datetime | None = None) -> Sent:
        """What the scheduler calls every minute: sends what is due at this local hour."""
        local = (now or datetime.now(UTC)).astimezone(VIETNAM)
        if local.hour < self.options.digest_hour:
            return Sent()
        today = local.date()
        return Sent(await self.send_digests(today), await self.send_reminders(today))
