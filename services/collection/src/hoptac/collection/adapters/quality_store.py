"""The register as collection keeps it from the registry's events (one row per organisation,
with its data-quality scores), the days the registry recorded changes, and which change-log
sequences are applied (`hoptac.platform.tracking`). Every function runs inside the caller's
transaction."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from uuid import UUID

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from hoptac.collection.domain.quality import DIMENSIONS
from hoptac.platform.tracking import Tracking

SCORE_COLUMNS = (*DIMENSIONS, "score", "band", "scored_on")
UNSCORED = date(1, 1, 1)  # the scored_on of a record to score again: before any today


async def tracking(conn: AsyncConnection, *, for_update: bool = False) -> Tracking:
    """The change-log sequences applied; `for_update` locks them until the transaction ends,
    so that writers (the consumer, the gap filling, another instance) record them in turn."""
    lock = " FOR UPDATE" if for_update else ""
    row = (
        await conn.execute(
            text(f"SELECT contiguous_through, beyond FROM quality_state WHERE id = 1{lock}")
        )
    ).one()
    return Tracking(row.contiguous_through, tuple((int(a), int(b)) for a, b in row.beyond))


async def record_tracking(conn: AsyncConnection, tracking: Tracking) -> None:
    await conn.execute(
        text(
            "UPDATE quality_state SET contiguous_through = :through, "
            "beyond = CAST(:beyond AS JSONB) WHERE id = 1"
        ),
        {"through": tracking.contiguous_through, "beyond": json.dumps(tracking.beyond)},
    )


async def held(conn: AsyncConnection, ids: Iterable[UUID]) -> dict[UUID, tuple[int, str | None]]:
    """The version and commune kept now for each of these organisations."""
    rows = await conn.execute(
        text(
            "SELECT organization_id, version, commune_code FROM quality_records "
            "WHERE organization_id = ANY(:ids)"
        ),
        {"ids": list(ids)},
    )
    return {row.organization_id: (row.version, row.commune_code) for row in rows}


@dataclass(frozen=True)
class Kept:
    """An organisation as one event shows it: its public record as JSON values, and as text."""

    organization_id: UUID
    version: int
    removed: bool
    record: dict[str, Any]
    record_json: str


async def keep(
    conn: AsyncConnection,
    records: Sequence[Kept],
    scores: Mapping[UUID, Mapping[str, Any]] | None = None,
) -> None:
    """These records as their events show them, unless a newer version is kept already
    (duplicates and late deliveries change nothing): with their `scores` (by SCORE_COLUMNS, by
    organisation) when given, else marked to be scored again, their stored scores kept until
    then. A record removed is never scored."""
    if not records:
        return
    assigned = SCORE_COLUMNS if scores is not None else ("scored_on",)
    await conn.execute(
        text(f"""
        INSERT INTO quality_records (organization_id, version, removed, province_code,
            commune_code, name, status, registered_on, last_verified_on, record,
            {", ".join(SCORE_COLUMNS)})
        VALUES (:id, :version, :removed, :province, :commune, :name, :status, :registered_on,
            :verified, CAST(:record AS JSONB), {", ".join(f":{name}" for name in SCORE_COLUMNS)})
        ON CONFLICT (organization_id) DO UPDATE SET version = EXCLUDED.version,
            removed = EXCLUDED.removed, province_code = EXCLUDED.province_code,
            commune_code = EXCLUDED.commune_code, name = EXCLUDED.name,
            status = EXCLUDED.status, registered_on = EXCLUDED.registered_on,
            last_verified_on = EXCLUDED.last_verified_on, record = EXCLUDED.record,
            {", ".join(f"{name} = EXCLUDED.{name}" for name in assigned)}
        WHERE quality_records.version < EXCLUDED.version
        """),
        [
            {**_row(kept), **((scores or {}).get(kept.organization_id) or _UNSCORED)}
            for kept in records
        ],
    )


# What a record not scored yet holds: scored_on before any today, so that rescore_stale takes it.
_UNSCORED: Mapping[str, Any] = {
    **{name: 0 for name in DIMENSIONS},
    "score": 0,
    "band": "red",
    "scored_on": UNSCORED,
}


def _row(kept: Kept) -> dict[str, Any]:
    record = kept.record
    address = record.get("address") or {}
    verified = record.get("last_verified_on")
    return {
        "id": kept.organization_id,
        "version": kept.version,
        "removed": kept.removed,
        "province": address.get("province_code"),
        "commune": address.get("commune_code"),
        "name": record["name"],
        "status": record["status"],
        "registered_on": date.fromisoformat(record["registered_on"]),
        "verified": date.fromisoformat(verified) if verified else None,
        "record": kept.record_json,
    }


async def unscore(conn: AsyncConnection, communes: Sequence[str]) -> None:
    """Mark every record of these communes to be scored again (a neighbour changed)."""
    await conn.execute(
        text(
            "UPDATE quality_records SET scored_on = :unscored "
            "WHERE NOT removed AND commune_code = ANY(:communes)"
        ),
        {"unscored": UNSCORED, "communes": list(communes)},
    )


async def note_changes(conn: AsyncConnection, changes: Sequence[tuple[UUID, date]]) -> None:
    """The registry recorded a change to each organisation on its day (order does not matter)."""
    if not changes:
        return
    await conn.execute(
        text("""
        INSERT INTO quality_changes (organization_id, year, first_on, last_on)
        VALUES (:id, :year, :day, :day)
        ON CONFLICT (organization_id, year) DO UPDATE SET
            first_on = LEAST(quality_changes.first_on, EXCLUDED.first_on),
            last_on = GREATEST(quality_changes.last_on, EXCLUDED.last_on)
        """),
        [{"id": org, "year": day.year, "day": day} for org, day in changes],
    )


async def clear_lapsed(conn: AsyncConnection, changes: Sequence[tuple[UUID, datetime]]) -> None:
    """A change recorded after a record lapsed ends the lapse (a replayed older one does not)."""
    await conn.execute(
        text("""
        UPDATE lapsed_records l SET cleared_at = c.at
        FROM unnest(CAST(:ids AS UUID[]), CAST(:ats AS TIMESTAMPTZ[])) AS c (id, at)
        WHERE l.organization_id = c.id AND l.cleared_at IS NULL AND l.lapsed_at < c.at
        """),
        {"ids": [org for org, _ in changes], "ats": [at for _, at in changes]},
    )


@dataclass(frozen=True)
class Held:
    """A record kept, with the scores stored for it now."""

    record: dict[str, Any]
    scores: dict[str, Any]  # by SCORE_COLUMNS


async def records_in(
    conn: AsyncConnection, communes: Sequence[str], ids: Sequence[UUID]
) -> list[Held]:
    """Records kept (not removed) in these communes, and these records wherever they are."""
    rows = await conn.execute(
        text(f"""
        SELECT record, {", ".join(SCORE_COLUMNS)} FROM quality_records
        WHERE NOT removed AND (commune_code = ANY(:communes) OR organization_id = ANY(:ids))
        """),
        {"communes": list(communes), "ids": list(ids)},
    )
    return [Held(row[0], dict(zip(SCORE_COLUMNS, row[1:], strict=True))) for row in rows]


@dataclass(frozen=True)
class Neighbours:
    """The records kept (not removed) in one commune, in lists of one order: their ids (as
    text), names, whether their stored uniqueness is full, whether they are scored at all."""

    commune_code: str
    ids: list[str]
    names: list[str]
    unique: list[bool]
    scored: list[bool]


async def neighbours_in(conn: AsyncConnection, communes: Sequence[str]) -> list[Neighbours]:
    """The records of these communes, a row per commune (an import touches hundreds of communes
    of dozens of records each: a row per record cost more to read than all the rest)."""
    rows = await conn.execute(
        text("""
        SELECT commune_code, array_agg(organization_id::text), array_agg(name),
            array_agg(uniqueness = 100), array_agg(scored_on <> :unscored)
        FROM quality_records
        WHERE NOT removed AND commune_code = ANY(:communes)
        GROUP BY commune_code
        """),
        {"communes": list(communes), "unscored": UNSCORED},
    )
    return [Neighbours(*row) for row in rows]


async def save_scores(conn: AsyncConnection, scores: Sequence[dict[str, Any]]) -> None:
    if not scores:
        return
    assignments = ", ".join(f"{name} = :{name}" for name in SCORE_COLUMNS)
    await conn.execute(
        text(f"UPDATE quality_records SET {assignments} WHERE organization_id = :id"),
        list(scores),
    )


async def stale(conn: AsyncConnection, today: date, limit: int) -> tuple[list[str], list[UUID]]:
    """Communes, and records without a commune, scored before `today` (freshness moves)."""
    rows = await conn.execute(
        text("""
        SELECT organization_id, commune_code FROM quality_records
        WHERE NOT removed AND scored_on < :today LIMIT :limit
        """),
        {"today": today, "limit": limit},
    )
    communes: set[str] = set()
    loose: list[UUID] = []
    for row in rows:
        if row.commune_code:
            communes.add(row.commune_code)
        else:
            loose.append(row.organization_id)
    return sorted(communes), loose


AREA_COLUMNS = f"""
    r.organization_id, r.name, r.province_code, r.commune_code, r.status,
    {", ".join(f"r.{name}" for name in SCORE_COLUMNS)},
    EXISTS (SELECT 1 FROM lapsed_records l
            WHERE l.organization_id = r.organization_id AND l.cleared_at IS NULL) AS lapsed
"""


async def area_scores(
    conn: AsyncConnection, province: str, communes: Sequence[str] | None
) -> list[Any]:
    """Every record kept in a province (in these communes only, when given), lowest first."""
    rows = await conn.execute(
        text(f"""
        SELECT {AREA_COLUMNS} FROM quality_records r
        WHERE NOT r.removed AND r.province_code = :province
          AND (CAST(:communes AS TEXT[]) IS NULL OR r.commune_code = ANY(:communes))
        ORDER BY r.score, r.name, r.organization_id
        """),
        {"province": province, "communes": list(communes) if communes is not None else None},
    )
    return list(rows)


async def record_score(conn: AsyncConnection, organization_id: UUID) -> Any | None:
    rows = await conn.execute(
        text(
            f"SELECT {AREA_COLUMNS} FROM quality_records r "
            "WHERE NOT r.removed AND r.organization_id = :id"
        ),
        {"id": organization_id},
    )
    return rows.first()
