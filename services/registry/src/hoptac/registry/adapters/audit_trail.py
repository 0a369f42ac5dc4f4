"""Reading the audit log: who did what, when, from where; newest first, a page at a time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from hoptac.registry.adapters.tables import audit_log


@dataclass(frozen=True)
class AuditFilters:
    actor: str | None = None
    action: str | None = None  # a prefix: "organization." or "account.create"
    target: str | None = None
    since: datetime | None = None
    until: datetime | None = None


async def read_audit(
    conn: AsyncConnection, filters: AuditFilters, before: int | None, limit: int
) -> tuple[list[Any], int | None]:
    """One page of entries and the id to pass as `before` for the next (None at the end)."""
    c = audit_log.c
    conditions = []
    if filters.actor:
        conditions.append(c.actor == filters.actor)
    if filters.action:
        conditions.append(c.action.startswith(filters.action, autoescape=True))
    if filters.target:
        conditions.append(c.target == filters.target)
    if filters.since:
        conditions.append(c.at >= filters.since)
    if filters.until:
        conditions.append(c.at < filters.until)
    if before is not None:
        conditions.append(c.id < before)
    rows = (
        await conn.execute(
            select(audit_log).where(*conditions).order_by(c.id.desc()).limit(limit + 1)
        )
    ).all()
    page = list(rows[:limit])
    next_before: int | None = page[-1].id if len(rows) > limit else None
    return page, next_before
