"""My area: what needs a person's attention in the records they look after (their provinces or
communes; the whole register for those without an area): records not verified for a while, the
latest changes, and from the collection service the proposals waiting for review, the open
public challenges (each with a form to say how it was resolved, challenges.py) and the records
whose data quality is low."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from hoptac.portal.adapters.backends import Unavailable
from hoptac.portal.adapters.staff import StaffRegistry
from hoptac.portal.adapters.staff_collection import StaffCollection
from hoptac.portal.entrypoints.http.workspace.forms import today
from hoptac.portal.entrypoints.http.workspace.session import (
    WORKSPACE,
    Staff,
    StaffDep,
    render,
    staff_registry,
)

router = APIRouter(include_in_schema=False)
RECENT_DAYS = 30
VERIFY_EVERY_DAYS = 365  # a record not verified for a year is due
SHOWN = 20
OPEN_STATUSES = ("operating", "suspended", "dissolving")
QUALITY_PROVINCES = 2  # the quality panel asks for at most two provinces, to keep the page short


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


async def _collection_panels(collection: StaffCollection, staff: Staff) -> dict[str, Any]:
    """What collection asks of this person; its absence costs these panels, not the page."""
    quality = [
        collection.low_quality(staff.session, p) for p in staff.provinces[:QUALITY_PROVINCES]
    ]
    found = await asyncio.gather(
        collection.waiting_for_review(staff.session),
        collection.open_challenges(staff.session),
        *quality,
        return_exceptions=True,
    )
    answers: list[list[dict[str, Any]]] = []
    for part in found:
        if isinstance(part, Unavailable):
            return {"collection_unavailable": True}
        if isinstance(part, BaseException):
            raise part
        answers.append(part)
    reviews, challenges, *low = answers
    return {
        "reviews": reviews,
        "challenges": challenges,
        "low_quality": [item for items in low for item in items][:SHOWN],
        "quality_asked": bool(quality),
    }


async def area_view(
    request: Request,
    staff: Staff,
    resolving: dict[str, Any] | None = None,
    status_code: int = 200,
) -> Response:
    """The area page; `resolving` says what resolving a challenge came to (challenges.py)."""
    registry = staff_registry(request)
    since = (datetime.now(UTC) - timedelta(days=RECENT_DAYS)).isoformat()
    due_before = (today(request) - timedelta(days=VERIFY_EVERY_DAYS)).isoformat()
    statuses = [("status", s) for s in OPEN_STATUSES]
    recent, due, panels = await asyncio.gather(
        _in_area(registry, staff, [("updated_since", since)]),
        _in_area(registry, staff, [("verified_before", due_before), *statuses]),
        _collection_panels(request.app.state.staff_collection, staff),
    )
    recent.sort(key=lambda r: str(r.get("updated_at", "")), reverse=True)
    due.sort(key=lambda r: str(r.get("last_verified_on") or ""))
    context = {
        "recent": recent[:SHOWN],
        "due": due[:SHOWN],
        "due_more": len(due) > SHOWN,
        "recent_days": RECENT_DAYS,
        "resolved": "da-giai-quyet" in request.query_params,
        "resolving": resolving or {},
        **panels,
    }
    return render(request, "area.html", context, staff, status_code)


@router.get(WORKSPACE)
async def my_area(request: Request, staff: StaffDep) -> Response:
    return await area_view(request, staff)
