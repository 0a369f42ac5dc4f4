"""Reads of the projection: one aggregate over the timeline rows valid on the asked day.

`SqlStatsReader` is the `StatsReader` port (domain/reading.py) over these statements.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID

from sqlalchemy import (
    ARRAY,
    ColumnElement,
    Date,
    Select,
    and_,
    case,
    cast,
    func,
    literal,
    literal_column,
    or_,
    select,
)
from sqlalchemy.ext.asyncio import AsyncConnection

from hoptac.contracts.codes import DIGITAL_FLAGS
from hoptac.reporting.adapters import codes
from hoptac.reporting.adapters.tables import organizations, projection_state, timeline, versions
from hoptac.reporting.domain.facts import OCOP_STARS, Facts
from hoptac.reporting.domain.reading import Periods
from hoptac.reporting.domain.stats import HIERARCHIES, StatsQuery, finest_grouped

t = timeline.c

KEYS: dict[str, ColumnElement[Any]] = {
    "kind": t.kind,
    "status": t.status,
    "status_class": t.status == codes.OPERATING,  # a boolean: cheaper per row than a CASE
    "sector_group": t.sector_group,
    "sector_class": t.sector_group == codes.AGRICULTURE,
    "province": t.province,
    "commune": t.commune,
    "legacy_province": t.legacy_province,
    "legacy_district": t.legacy_district,
    "legacy_commune": t.legacy_commune,
}


def valid_on(day: Any) -> ColumnElement[bool]:
    return and_(t.valid_from <= day, t.valid_to > day)  # valid_to is 'infinity' while open


def _level(hierarchy: str, finest: str) -> ColumnElement[Any]:
    """The finest level of the hierarchy, down to `finest`, this organisation is known at."""
    levels = HIERARCHIES[hierarchy]
    known = levels[: levels.index(finest) + 1]
    whens = [(KEYS[level].is_not(None), level) for level in reversed(known)]
    return case(*whens, else_="unknown")


def _conditions(query: StatsQuery) -> list[ColumnElement[bool]]:
    return [KEYS[key].in_(codes.wanted(key, values)) for key, values in query.filters.items()]


def _filtered(statement: Select[Any], query: StatsQuery) -> Select[Any]:
    return statement.where(*_conditions(query))


def _measures() -> list[ColumnElement[Any]]:
    return [
        func.count().label("organizations"),
        func.coalesce(func.sum(t.members), 0).label("members"),
        func.coalesce(func.sum(t.workers), 0).label("workers"),
        func.coalesce(func.sum(t.charter_capital), 0).label("charter_capital"),
    ]


async def stats(conn: AsyncConnection, query: StatsQuery) -> list[dict[str, Any]]:
    keys = [KEYS[key].label(key) for key in query.group_by]
    levels = []
    for name in HIERARCHIES:
        finest = finest_grouped(query.group_by, name)
        if finest is not None:
            levels.append(_level(name, finest).label(f"{name}_level"))
    grouped = [*keys, *levels]
    statement = _filtered(select(*grouped, *_measures()).where(valid_on(query.as_of)), query)
    if grouped:
        statement = statement.group_by(*grouped).order_by(*grouped)
    result = await conn.execute(statement)
    return [codes.decode(row._mapping) for row in result]


async def summary_cells(conn: AsyncConnection, query: StatsQuery) -> list[dict[str, Any]]:
    """Counts by (kind, status, sector group), with OCOP products and digital adoption."""
    cells = [t.kind, t.status, t.sector_group]
    statement = select(
        *cells,
        *_measures(),
        *(func.sum(timeline.c[f"ocop_{stars}"]).label(f"ocop_{stars}") for stars in OCOP_STARS),
        *(
            func.count().filter(timeline.c[f"ocop_{stars}"] > 0).label(f"ocop_{stars}_orgs")
            for stars in OCOP_STARS
        ),
        func.count()
        .filter(or_(*(timeline.c[f"ocop_{stars}"] > 0 for stars in OCOP_STARS)))
        .label("ocop_orgs"),
        *(
            func.count().filter(timeline.c[f"digital_{flag}"]).label(f"digital_{flag}")
            for flag in DIGITAL_FLAGS
        ),
    ).where(valid_on(query.as_of))
    statement = _filtered(statement, query).group_by(*cells).order_by(*cells)
    result = await conn.execute(statement)
    return [codes.decode(row._mapping) for row in result]


def _first_period(day: ColumnElement[Any], ends: ColumnElement[Any]) -> ColumnElement[Any]:
    """1-based index of the first period whose last day is on or after `day`."""
    return func.width_bucket(day - literal_column("1"), ends) + 1


async def trends(
    conn: AsyncConnection, query: StatsQuery, periods: Periods
) -> list[dict[str, int]]:
    """For each (first day, last day) period: the state on its last day and its registrations.

    One pass over the timeline: an interval counts from the first period whose last day it
    covers up to the first one after it ends, so the rows are grouped by those two period
    numbers, and a running sum over the periods gives each period's state.
    """
    ends = cast(literal([end for _, end in periods], ARRAY(Date)), ARRAY(Date))
    count = len(periods)
    first_day, last_day = periods[0][0], periods[-1][1]
    start = _first_period(t.valid_from, ends).label("start")
    stop = _first_period(t.valid_to, ends).label("stop")
    registered = and_(
        t.valid_from == t.registered_on,
        t.registered_on >= first_day,
        t.registered_on <= last_day,
    )
    statement = (
        select(
            start,
            stop,
            func.count(),
            func.count().filter(t.status == codes.OPERATING),
            func.coalesce(func.sum(t.members), 0),
            func.coalesce(func.sum(t.workers), 0),
            func.count().filter(registered),
            _first_period(t.registered_on, ends).label("registered_in"),
        )
        .where(t.valid_from <= last_day, t.valid_to > first_day, *_conditions(query))
        .group_by(literal_column("start"), literal_column("stop"), literal_column("registered_in"))
    )
    delta = [[0, 0, 0, 0] for _ in range(count + 2)]
    registrations = [0] * (count + 2)
    for first, after, *figures, newly, registered_in in await conn.execute(statement):
        values = [int(v) for v in figures]
        for index, value in enumerate(values):
            delta[first][index] += value
            delta[min(after, count + 1)][index] -= value
        if newly:
            registrations[registered_in] += int(newly)
    running = [0, 0, 0, 0]
    result = []
    for period in range(1, count + 1):
        running = [a + b for a, b in zip(running, delta[period], strict=True)]
        organizations, operating, members, workers = running
        result.append(
            {
                "organizations": organizations,
                "operating": operating,
                "stopped": organizations - operating,
                "members": members,
                "workers": workers,
                "registered": registrations[period],
            }
        )
    return result


@dataclass(frozen=True)
class SqlStatsReader:
    """The `StatsReader` port answered by PostgreSQL, on the caller's connection."""

    conn: AsyncConnection

    async def stats(self, query: StatsQuery) -> list[dict[str, Any]]:
        return await stats(self.conn, query)

    async def summary_cells(self, query: StatsQuery) -> list[dict[str, Any]]:
        return await summary_cells(self.conn, query)

    async def trends(self, query: StatsQuery, periods: Periods) -> list[dict[str, int]]:
        return await trends(self.conn, query, periods)


async def facts_on(
    conn: AsyncConnection, day: date, province: str | None = None
) -> dict[UUID, Facts]:
    """Every organisation counted on `day`, with its counted fields (for the recount check)."""
    statement = select(timeline).where(valid_on(day))
    if province:
        statement = statement.where(t.province == province)
    result = await conn.execute(statement)
    return {row.organization_id: Facts.from_row(codes.decode(row._mapping)) for row in result}


async def generation(conn: AsyncConnection) -> int:
    """The projection's generation: any change since a cached answer makes it differ."""
    return int((await conn.execute(select(projection_state.c.generation))).scalar_one())


async def size(conn: AsyncConnection) -> Mapping[str, int]:
    result = await conn.execute(
        select(
            select(func.count()).select_from(organizations).scalar_subquery().label("orgs"),
            select(func.count())
            .select_from(organizations)
            .where(organizations.c.removed)
            .scalar_subquery()
            .label("removed"),
            select(func.count()).select_from(timeline).scalar_subquery().label("intervals"),
            select(func.count()).select_from(versions).scalar_subquery().label("versions"),
        )
    )
    row = result.one()
    return {
        "organizations": row.orgs,
        "removed": row.removed,
        "intervals": row.intervals,
        "versions": row.versions,
        "waiting_for_versions": await _incomplete(conn),
    }


async def _incomplete(conn: AsyncConnection) -> int:
    """Organisations of which a version is still missing (arrived out of order)."""
    held = (
        select(versions.c.organization_id, func.count().label("held"))
        .group_by(versions.c.organization_id)
        .subquery()
    )
    statement = (
        select(func.count())
        .select_from(
            organizations.join(held, held.c.organization_id == organizations.c.organization_id)
        )
        .where(held.c.held != organizations.c.version)
    )
    return int((await conn.execute(statement)).scalar_one())
