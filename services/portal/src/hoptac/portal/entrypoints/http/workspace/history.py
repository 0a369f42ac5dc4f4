"""A record's history: every version, who made it, when, why, and each field before and after.
The registry decides what a person may see (restricted fields only within their area)."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import Response

from hoptac.portal.entrypoints.http.workspace.records import RECORDS
from hoptac.portal.entrypoints.http.workspace.session import RegistryDep, StaffDep, render

router = APIRouter(include_in_schema=False)


@router.get(f"{RECORDS}/{{org_id}}/lich-su")
async def history(
    org_id: UUID, request: Request, staff: StaffDep, registry: RegistryDep
) -> Response:
    record = await registry.organization(staff.session, org_id)
    versions = await registry.history(staff.session, org_id)
    context = {"record": record.body, "versions": list(reversed(versions))}
    return render(request, "history.html", context, staff)
