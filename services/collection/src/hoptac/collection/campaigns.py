"""Use cases of the annual update campaigns: staff open one per year and province, follow its
completion per commune, have the area's staff reminded by e-mail (the notifications service
sends it), and after the deadline the records not updated are marked lapsed. What counts as
updated is read from the register kept from the registry's events (scores.py)."""

from __future__ import annotations

import logging
from datetime import date
from typing import Any
from uuid import UUID, uuid4

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from hoptac.collection.adapters import campaign_store as store
from hoptac.collection.adapters.area_names import commune_name, province_name
from hoptac.collection.adapters.notifications import NotificationsClient
from hoptac.collection.adapters.store import audit
from hoptac.collection.domain.area_view import visible_communes
from hoptac.collection.domain.campaigns import (
    CommuneProgress,
    check_deadline,
    default_deadline,
    require_campaign_staff,
    require_past_deadline,
    totals,
    vietnam_day,
)
from hoptac.collection.domain.errors import CollectionError, Conflict, NotFound
from hoptac.collection.domain.reminders import ReminderSchedule, Slot, Standing, left, standings
from hoptac.collection.domain.review import require_importer
from hoptac.collection.handlers import Clock
from hoptac.contracts.vietnam_time import VIETNAM
from hoptac.platform.identity import Caller
from hoptac.platform.text import Text

SYSTEM = "system"  # the actor of what the service does by itself: reminders, closing
log = logging.getLogger("hoptac.collection.campaigns")


class Campaigns:
    def __init__(
        self, engine: AsyncEngine, notifications: NotificationsClient, clock: Clock
    ) -> None:
        self.engine = engine
        self.notifications = notifications
        self.clock = clock

    async def create(
        self, caller: Caller, year: int, province: str, deadline: date | None
    ) -> dict[str, Any]:
        require_campaign_staff(caller, province)
        deadline = deadline or default_deadline(year)
        check_deadline(year, deadline)
        now = self.clock()
        campaign_id = uuid4()
        values = {
            "id": campaign_id,
            "year": year,
            "province_code": province,
            "deadline": deadline,
            "created_by": caller.name,
            "created_at": now,
        }
        async with self.engine.begin() as conn:
            if not await store.add(conn, values):
                raise Conflict(
                    Text("collection.campaign_exists", province=province, year=str(year))
                )
            await audit(
                conn,
                now,
                caller.name,
                "campaign",
                f"campaign:{campaign_id}",
                {"year": year, "province_code": province, "deadline": deadline.isoformat()},
            )
            made = await store.get(conn, campaign_id)
        return _campaign_json(made)

    async def listed(self, caller: Caller) -> list[dict[str, Any]]:
        """The campaigns the caller may see, each with its totals over the caller's area."""
        require_importer(caller)
        provinces = list(caller.provinces) if caller.provinces and not caller.communes else None
        listed = []
        async with self.engine.connect() as conn:
            for campaign in await store.listed(conn, provinces):
                communes = visible_communes(caller, campaign.province_code)
                rows = await store.progress(conn, campaign, communes)
                listed.append({**_campaign_json(campaign), "totals": totals(rows).as_json()})
        return listed

    async def progress(self, caller: Caller, campaign_id: UUID) -> dict[str, Any]:
        """The campaign's completion per commune (the caller's communes only, for an officer
        of some communes) and in all."""
        require_importer(caller)
        async with self.engine.connect() as conn:
            campaign = await self._get(conn, campaign_id)
            communes = visible_communes(caller, campaign.province_code)
            rows = await store.progress(conn, campaign, communes)
        return {
            **_campaign_json(campaign),
            "communes": [_commune_json(row) for row in rows],
            "totals": totals(rows).as_json(),
        }

    async def remind(self, caller: Caller, campaign_id: UUID) -> dict[str, Any]:
        """Ask the notifications service to e-mail the area's staff where each commune stands."""
        require_campaign_staff(caller)
        async with self.engine.connect() as conn:
            campaign = await self._get(conn, campaign_id)
        require_campaign_staff(caller, campaign.province_code)
        if campaign.closed_at is not None:
            raise Conflict(Text("collection.campaign_closed"))
        async with self.engine.begin() as conn:
            found = standings(await store.progress(conn, campaign, None), closed=False)
            reminder_id = await store.add_reminder(
                conn,
                {
                    "campaign_id": campaign.id,
                    "province_code": campaign.province_code,
                    "sent_at": self.clock(),
                    "sent_by": caller.name,
                    "not_updated": left(found),
                },
            )
            answer = await self._send(conn, caller.token, campaign, found, reminder_id, caller.name)
        return {"campaign_id": str(campaign.id), **answer}

    async def remind_due(self, schedule: ReminderSchedule, token: str | None) -> int:
        """Send the reminders of the schedule due now (a reviewer's `token`: notifications
        e-mails staff for reviewers and admins only); returns how many were sent. Each is
        sent once for its campaign, area and day, by whichever process claims it first."""
        local = self.clock().astimezone(VIETNAM)
        async with self.engine.connect() as conn:
            campaigns = await store.with_reminders_left(conn, schedule.first_deadline(local.date()))
        sent = 0
        for campaign in campaigns:
            slot = schedule.due(campaign.deadline, vietnam_day(campaign.created_at), local)
            if slot is None:
                continue
            if token is None:
                log.warning("campaign reminders are due but no reminder token is set")
                return sent
            try:
                sent += await self._remind_on(campaign, slot, token)
            except CollectionError as error:  # notifications away or refusing: the next round
                log.warning("reminder of campaign %s not sent: %s", campaign.id, error)
        return sent

    async def _remind_on(self, campaign: Any, slot: Slot, token: str) -> bool:
        closed = campaign.closed_at is not None
        if slot.kind == "after_deadline" and not closed:
            return False  # what is left is the lapsed records, known once it is closed
        async with self.engine.begin() as conn:
            found = standings(await store.progress(conn, campaign, None), closed)
            if not left(found):
                return False
            reminder_id = await store.claim_reminder(
                conn,
                {
                    "campaign_id": campaign.id,
                    "province_code": campaign.province_code,
                    "due_on": slot.day,
                    "kind": slot.kind,
                    "sent_at": self.clock(),
                    "sent_by": SYSTEM,
                    "not_updated": left(found),
                },
            )
            if reminder_id is None:
                return False  # sent already, by this process or another
            # Sent inside the claim's transaction: if the call fails, the claim is undone and
            # the next round tries again.
            details = {"due_on": slot.day.isoformat(), "kind": slot.kind}
            await self._send(conn, token, campaign, found, reminder_id, SYSTEM, details)
        return True

    async def _send(
        self,
        conn: AsyncConnection,
        token: str,
        campaign: Any,
        found: list[Standing],
        reminder_id: int,
        actor: str,
        details: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        answer = await self.notifications.campaign_reminder(
            token,
            {
                "campaign_id": str(campaign.id),
                "year": campaign.year,
                "province_code": campaign.province_code,
                "deadline": campaign.deadline.isoformat(),
                "communes": [row.as_json() for row in found],
            },
        )
        now = self.clock()
        await store.reminder_answered(conn, reminder_id, now, answer)
        audited = {**answer, "not_updated": left(found), **(details or {})}
        await audit(conn, now, actor, "remind", f"campaign:{campaign.id}", audited)
        return answer

    async def reminders(self, caller: Caller, campaign_id: UUID) -> list[dict[str, Any]]:
        """The reminders sent for a campaign, newest first."""
        require_importer(caller)
        async with self.engine.connect() as conn:
            campaign = await self._get(conn, campaign_id)
            visible_communes(caller, campaign.province_code)  # refuses another province
            rows = await store.reminders_of(conn, campaign_id)
        return [_reminder_json(row) for row in rows]

    async def close(self, caller: Caller, campaign_id: UUID) -> dict[str, Any]:
        require_campaign_staff(caller)
        async with self.engine.connect() as conn:
            campaign = await self._get(conn, campaign_id)
        require_campaign_staff(caller, campaign.province_code)
        require_past_deadline(campaign.deadline, vietnam_day(self.clock()))
        lapsed = await self._close(campaign_id, caller.name)
        return {**await self.progress(caller, campaign_id), "lapsed_now": lapsed}

    async def close_due(self) -> int:
        """Close every open campaign whose deadline has passed; returns how many."""
        async with self.engine.connect() as conn:
            due = await store.due(conn, vietnam_day(self.clock()))
        for campaign_id in due:
            await self._close(campaign_id, SYSTEM)
        return len(due)

    async def _close(self, campaign_id: UUID, actor: str) -> int:
        """Mark lapsed the records not updated, once: closing a closed campaign changes
        nothing."""
        now = self.clock()
        async with self.engine.begin() as conn:
            campaign = await self._get(conn, campaign_id, for_update=True)
            if campaign.closed_at is not None:
                return 0
            lapsed = await store.lapse(conn, campaign, now)
            await store.close(conn, campaign_id, now, actor)
            await audit(conn, now, actor, "close", f"campaign:{campaign_id}", {"lapsed": lapsed})
        return lapsed

    @staticmethod
    async def _get(conn: Any, campaign_id: UUID, for_update: bool = False) -> Any:
        found = await store.get(conn, campaign_id, for_update)
        if found is None:
            raise NotFound(Text("collection.no_campaign", id=str(campaign_id)))
        return found


def _campaign_json(row: Any) -> dict[str, Any]:
    return {
        "id": str(row.id),
        "year": row.year,
        "province_code": row.province_code,
        "province_name": province_name(row.province_code),
        "deadline": row.deadline.isoformat(),
        "created_by": row.created_by,
        "created_at": row.created_at.isoformat(),
        "last_reminded_at": row.last_reminded_at.isoformat() if row.last_reminded_at else None,
        "closed_at": row.closed_at.isoformat() if row.closed_at else None,
        "closed_by": row.closed_by,
    }


def _reminder_json(row: Any) -> dict[str, Any]:
    return {
        "sent_at": row.sent_at.isoformat(),
        "sent_by": row.sent_by,
        "kind": row.kind,
        "due_on": row.due_on.isoformat() if row.due_on else None,
        "not_updated": row.not_updated,
        "recipients": row.recipients,
        "sent": row.sent,
        "failed": row.failed,
    }


def _commune_json(row: CommuneProgress) -> dict[str, Any]:
    return {**row.as_json(), "commune_name": commune_name(row.commune_code)}
