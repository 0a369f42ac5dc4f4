"""Resolving a public challenge ("báo sai thông tin") from the area page: the person says how
it was resolved. The form carries the form token and is authorised by the person's role before
anything is read or sent; the text is bounded here as collection bounds it; collection decides
the rest (the area, whether it is still open) and its refusals are shown in the page's
language."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import Response

from hoptac.portal.adapters.backends import Unavailable
from hoptac.portal.adapters.staff import Refused
from hoptac.portal.domain.challenge_form import read_resolution
from hoptac.portal.entrypoints.http.rendering import language_of
from hoptac.portal.entrypoints.http.workspace.area import area_view
from hoptac.portal.entrypoints.http.workspace.imports import collection_of
from hoptac.portal.entrypoints.http.workspace.session import (
    WORKSPACE,
    FormDep,
    StaffDep,
    go,
    refused_here,
)

router = APIRouter(include_in_schema=False)


@router.post(f"{WORKSPACE}/bao-sai/{{challenge_id}}/giai-quyet")
async def resolve(challenge_id: UUID, request: Request, form: FormDep, staff: StaffDep) -> Response:
    if not staff.writes:
        return refused_here(request, staff)
    control = f"resolution-{challenge_id}"
    resolution, problems = read_resolution(str(form.get("resolution") or ""), control)
    if resolution is None:
        return await area_view(request, staff, {"problems": problems, "at": control}, 422)
    try:
        await collection_of(request).resolve_challenge(
            staff.session, challenge_id, resolution, language_of(request)
        )
    except Refused as refused:
        resolving = {"refusal": refused.message, "at": control}
        return await area_view(request, staff, resolving, refused.status)
    except Unavailable:
        return await area_view(request, staff, {"not_done": True}, 503)
    return go(f"{WORKSPACE}?da-giai-quyet=1")
