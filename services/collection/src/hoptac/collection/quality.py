"""Use cases of data quality: the stored scores (kept current from the registry's events, see
scores.py) of one record, and of an area with its means per commune and for the whole, now or
as they were when a past month ended (stored by the scheduler)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date, datetime
from statistics import fmean
from typing import Any
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncEngine

from hoptac.collection.adapters import quality_months as months
from hoptac.collection.adapters import quality_store as store
from hoptac.collection.adapters.area_names import commune_name, province_name
from hoptac.collection.domain.area_view import sees, visible_communes
from hoptac.collection.domain.campaigns import vietnam_day
from hoptac.collection.domain.errors import NotFound
from hoptac.collection.domain.months import month_before, month_of
from hoptac.collection.domain.quality import DIMENSIONS, band
from hoptac.collection.domain.review import require_importer
from hoptac.platform.identity import Caller
from hoptac.platform.text import Text

BAND_NAMES = ("red", "orange", "yellow", "green")


def _item(row: Any) -> dict[str, Any]:
    return {
        "id": str(row.organization_id),
        "name": row.name,
        "province_code": row.province_code,
        "commune_code": row.commune_code,
        "status": row.status,
        **{name: getattr(row, name) for name in DIMENSIONS},
        "score": row.score,
        "band": row.band,
        "lapsed": row.lapsed,
        "scored_on": row.scored_on.isoformat(),
    }


def summary(items: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """The means of a set of records (each dimension and the score, one decimal), the band of
    the mean score, and how many records fall in each band and are lapsed."""
    means = {
        name: round(fmean(item[name] for item in items), 1) if items else None
        for name in (*DIMENSIONS, "score")
    }
    score = means["score"]
    return {
        "records": len(items),
        **means,
        "band": band(score) if score is not None else None,
        "bands": {name: sum(1 for item in items if item["band"] == name) for name in BAND_NAMES},
        "lapsed": sum(1 for item in items if item["lapsed"]),
    }


async def area_quality(
    engine: AsyncEngine, caller: Caller, province: str, month: date | None = None
) -> dict[str, Any]:
    """A province (or the caller's communes of it): every record, lowest score first, the
    means per commune and for the whole; now, or as they were stored when `month` ended."""
    require_importer(caller)
    communes = visible_communes(caller, province)
    taken: datetime | None = None
    async with engine.connect() as conn:
        if month is None:
            rows = await store.area_scores(conn, province, communes)
        else:
            taken = await months.taken_at(conn, month)
            if taken is None:
                raise NotFound(Text("collection.quality_month_none", month=f"{month:%Y-%m}"))
            rows = await months.month_scores(conn, month, province, communes)
    items = [_item(row) for row in rows]
    by_commune: dict[str | None, list[dict[str, Any]]] = defaultdict(list)
    for item in items:
        by_commune[item["commune_code"]].append(item)
    return {
        "province_code": province,
        "province_name": province_name(province),
        "month": f"{month:%Y-%m}" if month else None,
        "taken_at": taken.isoformat() if taken else None,
        **summary(items),
        "communes": [
            {"commune_code": code, "commune_name": commune_name(code), **summary(found)}
            for code, found in sorted(by_commune.items(), key=lambda pair: pair[0] or "")
        ],
        "items": items,
    }


async def store_ended_month(engine: AsyncEngine, now: datetime) -> int | None:
    """The report of the month before `now`'s (Viet Nam), unless stored already: how many
    records it holds, or None."""
    month = month_before(month_of(vietnam_day(now)))
    async with engine.begin() as conn:
        return await months.store_month(conn, month, now)


async def months_stored(engine: AsyncEngine, caller: Caller) -> list[dict[str, Any]]:
    require_importer(caller)
    async with engine.connect() as conn:
        rows = await months.months(conn)
    return [
        {
            "month": f"{row.month:%Y-%m}",
            "taken_at": row.taken_at.isoformat(),
            "records": row.records,
        }
        for row in rows
    ]


async def record_quality(engine: AsyncEngine, caller: Caller, org_id: UUID) -> dict[str, Any]:
    require_importer(caller)
    async with engine.connect() as conn:
        row = await store.record_score(conn, org_id)
    if row is None or not sees(caller, row.province_code, row.commune_code):
        raise NotFound(Text("collection.no_record_in_area", id=str(org_id)))
    return _item(row)
