"""Reminders of an annual update campaign, asked for by collection (which owns the campaigns)
and sent here, where the staff recipients and the mailer are: one e-mail to each recipient
with reminders on whose area holds records still to update."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date

from sqlalchemy.ext.asyncio import AsyncEngine

from hoptac.notifications.adapters import staff
from hoptac.notifications.adapters.mailer import Mailer
from hoptac.notifications.domain.campaign_mail import CampaignReminder, campaign_reminder_email

log = logging.getLogger("hoptac.notifications.staff")


@dataclass(frozen=True)
class Reminded:
    recipients: int  # whose area holds records still to update
    sent: int
    failed: int


async def send_campaign_reminder(
    engine: AsyncEngine, mailer: Mailer, portal_url: str, reminder: CampaignReminder, today: date
) -> Reminded:
    async with engine.connect() as conn:
        recipients = await staff.all_recipients(conn)
    emails = [
        campaign_reminder_email(r.email, r.name, r.area, reminder, today, portal_url)
        for r in recipients
        if r.reminders
    ]
    due = [email for email in emails if email is not None]
    sent = 0
    for email in due:
        try:
            await mailer.send(email)
            sent += 1
        except Exception as error:  # SMTP away: said in the answer, staff may ask again
            log.warning("campaign reminder to %s not sent: %s", email.to, error)
    return Reminded(len(due), sent, len(due) - sent)
