"""Use cases of public challenges: anyone reports what is wrong on one record (bounded: sizes,
a rate per address, a honeypot field, since no third-party CAPTCHA can be reached); the officers
of its area see it as a task due in 10 working days and resolve it; the record shows that a
challenge is open; the figures per area are public. A contact left by the sender is shown only
to staff of the area, never published."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from typing import Any
from uuid import UUID, uuid4

from sqlalchemy.ext.asyncio import AsyncEngine

from hoptac.collection.adapters import challenge_store, store
from hoptac.collection.adapters.registry import RegistryClient
from hoptac.collection.domain.challenges import due_on, is_late
from hoptac.collection.domain.errors import Conflict, NotFound, TooMany
from hoptac.collection.domain.review import require_importer
from hoptac.collection.handlers import Clock
from hoptac.contracts.vietnam_time import VIETNAM
from hoptac.platform.identity import Caller
from hoptac.platform.text import Text


class Challenges:
    def __init__(
        self, engine: AsyncEngine, registry: RegistryClient, clock: Clock, per_hour: int
    ) -> None:
        self.engine = engine
        self.registry = registry
        self.clock = clock
        self.per_hour = per_hour

    async def open(
        self,
        organization_id: UUID,
        fields: list[str],
        what: str,
        contact: str | None,
        address: str,
    ) -> dict[str, Any]:
        now = self.clock()
        sender = hashlib.sha256(address.encode()).hexdigest()
        async with self.engine.connect() as conn:  # before anything else is asked
            recent = await challenge_store.sent_since(conn, sender, now - timedelta(hours=1))
        if recent >= self.per_hour:
            raise TooMany(Text("collection.challenges_too_many"))
        record = await self.registry.record(None, organization_id)
        if record is None:
            raise NotFound(Text("collection.no_organisation", id=str(organization_id)))
        area = record.get("address") or {}
        async with self.engine.begin() as conn:
            challenge_id = uuid4()
            due = due_on(now)
            await challenge_store.add(
                conn,
                {
                    "id": challenge_id,
                    "organization_id": organization_id,
                    "province_code": area["province_code"],
                    "commune_code": area.get("commune_code"),
                    "fields": fields,
                    "what": what,
                    "contact": contact,
                    "sender": sender,
                    "opened_at": now,
                    "due_on": due,
                },
            )
            await store.audit(
                conn, now, "public", "challenge", f"challenge:{challenge_id}", {"fields": fields}
            )
        return {"id": str(challenge_id), "due_on": due.isoformat()}

    async def open_on(self, organization_id: UUID) -> int:
        async with self.engine.connect() as conn:
            return await challenge_store.open_on(conn, organization_id)

    async def tasks(self, caller: Caller, open_only: bool, limit: int) -> list[dict[str, Any]]:
        require_importer(caller)
        everywhere = not (caller.provinces or caller.communes)
        provinces = None if everywhere else tuple(caller.provinces)
        today = self.clock().astimezone(VIETNAM).date()
        async with self.engine.connect() as conn:
            rows = await challenge_store.in_area(
                conn, provinces, tuple(caller.communes), open_only, limit
            )
        return [_task(row, today) for row in rows]

    async def resolve(self, caller: Caller, challenge_id: UUID, resolution: str) -> dict[str, Any]:
        require_importer(caller)
        now = self.clock()
        async with self.engine.begin() as conn:
            row = await challenge_store.one(conn, challenge_id)
            covered = not (caller.provinces or caller.communes) or (
                row is not None
                and (row.province_code in caller.provinces or row.commune_code in caller.communes)
            )
            if row is None or not covered:
                raise NotFound(Text("collection.no_challenge", id=str(challenge_id)))
            if row.resolved_at is not None:
                raise Conflict(Text("collection.challenge_resolved", id=str(challenge_id)))
            await challenge_store.resolve(conn, challenge_id, caller.name, resolution, now)
            await store.audit(
                conn,
                now,
                caller.name,
                "resolve",
                f"challenge:{challenge_id}",
                {"resolution": resolution},
            )
            row = await challenge_store.one(conn, challenge_id)
        return _task(row, now.astimezone(VIETNAM).date())

    async def figures(self) -> list[dict[str, Any]]:
        today = self.clock().astimezone(VIETNAM).date()
        async with self.engine.connect() as conn:
            return await challenge_store.figures(conn, today)


def _task(row: Any, today: Any) -> dict[str, Any]:
    resolved_on = row.resolved_at.astimezone(VIETNAM).date() if row.resolved_at else None
    return {
        "id": str(row.id),
        "organization_id": str(row.organization_id),
        "province_code": row.province_code,
        "commune_code": row.commune_code,
        "fields": row.fields,
        "what": row.what,
        "contact": row.contact,
        "opened_at": row.opened_at.isoformat(),
        "due_on": row.due_on.isoformat(),
        "late": is_late(row.due_on, resolved_on, today),
        "resolved_at": row.resolved_at.isoformat() if row.resolved_at else None,
        "resolved_by": row.resolved_by,
        "resolution": row.resolution,
    }
