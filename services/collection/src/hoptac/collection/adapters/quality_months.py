"""Each month's data-quality report as it was: every kept record's scores when the month ended,
stored once. Inside the caller's transaction."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from hoptac.collection.adapters.quality_store import SCORE_COLUMNS

STORED_COLUMNS = ("organization_id", "name", "province_code", "commune_code", "status")


async def store_month(conn: AsyncConnection, month: date, at: datetime) -> int | None:
    """Every record kept now, as the report of `month` (its first day); None when that month
    is stored already. A second process storing the same month waits until the first commits,
    then finds it stored."""
    claimed = await conn.execute(
        text("""
        INSERT INTO quality_months (month, taken_at, records) VALUES (:month, :at, 0)
        ON CONFLICT (month) DO NOTHING RETURNING month
        """),
        {"month": month, "at": at},
    )
    if claimed.first() is None:
        return None
    columns = ", ".join((*STORED_COLUMNS, *SCORE_COLUMNS))
    kept = await conn.execute(
        text(f"""
        INSERT INTO quality_month_records (month, {columns}, lapsed)
        SELECT :month, {", ".join(f"r.{name}" for name in (*STORED_COLUMNS, *SCORE_COLUMNS))},
               EXISTS (SELECT 1 FROM lapsed_records l
                       WHERE l.organization_id = r.organization_id AND l.cleared_at IS NULL)
        FROM quality_records r WHERE NOT r.removed
        """),
        {"month": month},
    )
    records = int(kept.rowcount)
    await conn.execute(
        text("UPDATE quality_months SET records = :records WHERE month = :month"),
        {"month": month, "records": records},
    )
    return records


async def taken_at(conn: AsyncConnection, month: date) -> datetime | None:
    row = await conn.execute(
        text("SELECT taken_at FROM quality_months WHERE month = :month"), {"month": month}
    )
    found: datetime | None = row.scalar_one_or_none()
    return found


async def months(conn: AsyncConnection) -> list[Any]:
    rows = await conn.execute(text("SELECT * FROM quality_months ORDER BY month DESC"))
    return list(rows)


async def month_scores(
    conn: AsyncConnection, month: date, province: str, communes: Sequence[str] | None
) -> list[Any]:
    """The records of a province (of these communes only, when given) in a stored month, lowest
    score first: the same columns as `quality_store.area_scores`."""
    rows = await conn.execute(
        text("""
        SELECT * FROM quality_month_records r
        WHERE r.month = :month AND r.province_code = :province
          AND (CAST(:communes AS TEXT[]) IS NULL OR r.commune_code = ANY(:communes))
        ORDER BY r.score, r.name, r.organization_id
        """),
        {
            "month": month,
            "province": province,
            "communes": list(communes) if communes is not None else None,
        },
    )
    return list(rows)
