"""Routes of /v1/campaigns: the annual update campaigns (Circular 09/2024), their completion
per commune as JSON or CSV, staff reminders (asked for, or sent by the schedule) and the
closing that marks records lapsed."""

from __future__ import annotations

import csv
import io
from datetime import date
from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from pydantic import Field

from hoptac.collection.campaigns import Campaigns
from hoptac.collection.entrypoints.http.auth import CallerDep, WriteRoute
from hoptac.collection.entrypoints.http.schemas import Body

router = APIRouter(prefix="/v1/campaigns", tags=["annual update campaigns"], route_class=WriteRoute)
PROGRESS_COLUMNS = (
    "commune_code",
    "commune_name",
    "in_scope",
    "updated",
    "not_updated",
    "lapsed",
    "rate",
)


class NewCampaign(Body):
    year: int = Field(ge=2024, le=2100)
    province_code: str = Field(pattern=r"^\d{2}$", description="A current province code.")
    deadline: date | None = Field(
        default=None, description="Default: 15 December of the year (Circular 09/2024)."
    )


def campaigns_of(request: Request) -> Campaigns:
    service: Campaigns = request.app.state.campaigns
    return service


@router.post(
    "",
    status_code=201,
    summary="Open the annual update campaign of a year and province (reviewer or admin)",
    responses={
        400: {"description": "The deadline is not in the campaign's year"},
        409: {"description": "The province has a campaign for that year already"},
    },
)
async def create(body: NewCampaign, caller: CallerDep, request: Request) -> dict[str, Any]:
    return await campaigns_of(request).create(caller, body.year, body.province_code, body.deadline)


@router.get("", summary="Every campaign, newest year first, with its totals over the caller's area")
async def listed(caller: CallerDep, request: Request) -> dict[str, Any]:
    return {"items": await campaigns_of(request).listed(caller)}


@router.get(
    "/{campaign_id}",
    summary="A campaign and its completion per commune (records in scope, updated, lapsed)",
    response_model=None,
    responses={200: {"content": {"text/csv": {}}}},
)
async def progress(
    campaign_id: UUID,
    caller: CallerDep,
    request: Request,
    format: Annotated[Literal["json", "csv"], Query()] = "json",
) -> dict[str, Any] | Response:
    found = await campaigns_of(request).progress(caller, campaign_id)
    if format == "json":
        return found
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, PROGRESS_COLUMNS, extrasaction="ignore")
    writer.writeheader()
    writer.writerows(found["communes"])
    writer.writerow({"commune_name": "Toàn bộ", **found["totals"], "commune_code": None})
    name = f"cap-nhat-{found['year']}-{found['province_code']}.csv"
    return Response(
        "\ufeff" + buffer.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.post(
    "/{campaign_id}/reminders",
    summary="E-mail the area's staff where each commune stands (sent by notifications)",
    responses={409: {"description": "The campaign is closed"}},
)
async def remind(campaign_id: UUID, caller: CallerDep, request: Request) -> dict[str, Any]:
    return await campaigns_of(request).remind(caller, campaign_id)


@router.get(
    "/{campaign_id}/reminders",
    summary="The reminders sent for a campaign, newest first: asked for by staff, or sent by "
    "the schedule (with its day)",
)
async def reminders(campaign_id: UUID, caller: CallerDep, request: Request) -> dict[str, Any]:
    return {"items": await campaigns_of(request).reminders(caller, campaign_id)}


@router.post(
    "/{campaign_id}/close",
    summary="After the deadline: mark lapsed every record in scope not updated",
    responses={409: {"description": "The deadline has not passed yet"}},
)
async def close(campaign_id: UUID, caller: CallerDep, request: Request) -> dict[str, Any]:
    return await campaigns_of(request).close(caller, campaign_id)
