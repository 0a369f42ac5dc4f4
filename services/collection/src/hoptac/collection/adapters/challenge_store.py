"""Public challenges in PostgreSQL, inside the caller's transaction."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID

from sqlalchemy import Integer, case, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from hoptac.collection.adapters.tables import challenges


async def add(conn: AsyncConnection, values: dict[str, Any]) -> None:
    await conn.execute(insert(challenges).values(**values))


async def sent_since(conn: AsyncConnection, sender: str, since: datetime) -> int:
    query = select(func.count()).where(
        challenges.c.sender == sender, challenges.c.opened_at >= since
    )
    return int(await conn.scalar(query) or 0)


async def open_on(conn: AsyncConnection, organization_id: UUID) -> int:
    query = select(func.count()).where(
        challenges.c.organization_id == organization_id, challenges.c.resolved_at.is_(None)
    )
    return int(await conn.scalar(query) or 0)


async def in_area(
    conn: AsyncConnection,
    provinces: tuple[str, ...] | None,
    communes: tuple[str, ...],
    open_only: bool,
    limit: int,
) -> list[Any]:
    """`provinces` None: every area."""
    query = select(challenges).order_by(challenges.c.due_on, challenges.c.id).limit(limit)
    if provinces is not None:
        query = query.where(
            challenges.c.province_code.in_(provinces) | challenges.c.commune_code.in_(communes)
        )
    if open_only:
        query = query.where(challenges.c.resolved_at.is_(None))
    return list((await conn.execute(query)).all())


async def one(conn: AsyncConnection, challenge_id: UUID) -> Any:
    query = select(challenges).where(challenges.c.id == challenge_id).with_for_update()
    return (await conn.execute(query)).first()


async def resolve(
    conn: AsyncConnection, challenge_id: UUID, by: str, resolution: str, at: datetime
) -> None:
    await conn.execute(
        update(challenges)
        .where(challenges.c.id == challenge_id)
        .values(resolved_at=at, resolved_by=by, resolution=resolution)
    )


async def figures(conn: AsyncConnection, today: date) -> list[dict[str, Any]]:
    """Per province: challenges opened, resolved, and late (resolved after their due day, or
    open past it)."""
    resolved_day = func.date(func.timezone("Asia/Ho_Chi_Minh", challenges.c.resolved_at))
    late = case((func.coalesce(resolved_day, today) > challenges.c.due_on, 1), else_=0)
    query = (
        select(
            challenges.c.province_code,
            func.count().label("opened"),
            func.count(challenges.c.resolved_at).label("resolved"),
            func.sum(late).cast(Integer).label("late"),
        )
        .group_by(challenges.c.province_code)
        .order_by(challenges.c.province_code)
    )
    return [dict(row._mapping) for row in await conn.execute(query)]
