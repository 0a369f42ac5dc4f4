"""My area: what needs a person's attention in the records they look after (their provinces or
communes; the whole register for those without an area): records not verified for a while, and
the latest changes."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from hoptac.portal.adapters.staff import StaffRegistry
from hoptac.portal.entrypoints.http.workspace.forms import today
from hoptac.portal.entrypoints.http.workspace.session import (
    WORKSPACE,
    RegistryDep,
    Staff,
    StaffDep,
    render,
)

router = APIRouter(include_in_schema=False)
RECENT_DAYS = 30
VERIFY_EVERY_DAYS = 365  # a record not verified for a year is due
SHOWN = 20
OPEN_STATUSES = ("operating", "suspended", "dissolving")


async def _in_area(
    registry: StaffRegistry, staff: Staff, filters: list[tuple[str, str]]
) -> list[dict[str, Any]]:
    """Records matching `filters` in the person's area: an area of provinces and communes is
    asked as two lists (the registry's filters would need both at once)."""
    areas = [[("province", p) for p in staff.provinces], [("commune", c) for c in staff.communes]]
    asked = [area for area in areas if area] or [[]]
    pages = await asyncio.gather(
        *(
            registry.organizations(staff.session, [*area, *filters, ("limit", "200")])
            for area in asked
        )
    )
    seen: dict[str, dict[str, Any]] = {}
    for page in pages:
        for item in page:
            seen[str(item["id"])] = item
    return list(seen.values())


@router.get(WORKSPACE)
async def my_area(request: Request, staff: StaffDep, registry: RegistryDep) -> Response:
    since = (datetime.now(UTC) - timedelta(days=RECENT_DAYS)).isoformat()
    due_before = (today(request) - timedelta(days=VERIFY_EVERY_DAYS)).isoformat()
    statuses = [("status", s) for s in OPEN_STATUSES]
    recent, due = await asyncio.gather(
        _in_area(registry, staff, [("updated_since", since)]),
        _in_area(registry, staff, [("verified_before", due_before), *statuses]),
    )
    recent.sort(key=lambda r: str(r.get("updated_at", "")), reverse=True)
    due.sort(key=lambda r: str(r.get("last_verified_on") or ""))
    context = {
        "recent": recent[:SHOWN],
        "due": due[:SHOWN],
        "due_more": len(due) > SHOWN,
        "recent_days": RECENT_DAYS,
    }
    return render(request, "area.html", context, staff)
