"""Use cases of data quality: the scores of every record of a province, read from the register
when asked (with the caller's token, so within the caller's area), and the province's means."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from statistics import fmean
from typing import Any

from hoptac.collection.adapters.registry import RegistryClient
from hoptac.collection.domain.challenges import VIETNAM
from hoptac.collection.domain.quality import DIMENSIONS, band, quality
from hoptac.collection.domain.review import require_importer
from hoptac.platform.identity import Caller


async def province_quality(
    registry: RegistryClient, caller: Caller, province: str, now: datetime
) -> dict[str, Any]:
    require_importer(caller)
    records = await registry.in_province(caller.token, province)
    by_commune: dict[str | None, list[dict[str, Any]]] = defaultdict(list)
    for record in records:
        by_commune[(record.get("address") or {}).get("commune_code")].append(record)
    today = now.astimezone(VIETNAM).date()
    scored = []
    for record in records:
        commune = (record.get("address") or {}).get("commune_code")
        found = quality(record, by_commune[commune] if commune else [], today)
        scored.append(
            {
                "id": record["id"],
                "name": record["name"],
                "commune_code": commune,
                **{name: round(100 * value, 1) for name, value in found.dimensions.items()},
                "score": round(found.score, 1),
                "band": found.band,
            }
        )
    means = {
        name: round(fmean(r[name] for r in scored), 1) if scored else None for name in DIMENSIONS
    }
    score = round(fmean(r["score"] for r in scored), 1) if scored else None
    return {
        "province_code": province,
        "records": len(scored),
        **means,
        "score": score,
        "band": band(score) if score is not None else None,
        "bands": {
            name: sum(1 for r in scored if r["band"] == name)
            for name in ("red", "orange", "yellow", "green")
        },
        "items": sorted(scored, key=lambda r: r["score"]),
    }
