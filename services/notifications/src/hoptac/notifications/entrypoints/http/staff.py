"""POST /v1/staff/campaign-reminders: e-mail the staff of an area where each commune stands in
an annual update campaign (collection asks, with the reviewer's own token)."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, ConfigDict, Field

from hoptac.contracts.vietnam_time import vietnam_today
from hoptac.notifications.campaign_notices import send_campaign_reminder
from hoptac.notifications.domain.campaign_mail import CampaignReminder, CommuneStanding
from hoptac.notifications.domain.errors import Forbidden
from hoptac.notifications.entrypoints.http.auth import CallerDep, Service
from hoptac.platform.identity import Caller
from hoptac.platform.text import Text

router = APIRouter(prefix="/v1/staff", tags=["staff e-mail"])
STAFF_ROLES = frozenset({"admin", "reviewer"})
MAX_COMMUNES = 5_000  # a province has a few hundred


async def staff_caller(caller: CallerDep) -> Caller:
    """Checked before the body is read: e-mail to staff is sent for the province's staff."""
    if caller.role not in STAFF_ROLES:
        raise Forbidden(Text("notifications.staff_only"))
    return caller


class Standing(BaseModel):
    model_config = ConfigDict(extra="forbid")

    commune_code: str | None = Field(pattern=r"^\d{5}$")
    in_scope: int = Field(ge=0, le=10_000_000)
    updated: int = Field(ge=0, le=10_000_000)


class CampaignReminderBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    campaign_id: UUID
    year: int = Field(ge=2024, le=2100)
    province_code: str = Field(pattern=r"^\d{2}$")
    deadline: date
    communes: list[Standing] = Field(max_length=MAX_COMMUNES)


@router.post(
    "/campaign-reminders",
    summary="E-mail each staff recipient (reminders on) whose area has records still to "
    "update in an annual update campaign",
)
async def campaign_reminders(
    body: CampaignReminderBody,
    caller: Annotated[Caller, Depends(staff_caller)],
    service: Service,
    request: Request,
) -> dict[str, Any]:
    reminder = CampaignReminder(
        body.campaign_id,
        body.year,
        body.province_code,
        body.deadline,
        [
            CommuneStanding(c.commune_code, c.in_scope, min(c.updated, c.in_scope))
            for c in body.communes
        ],
    )
    done = await send_campaign_reminder(
        service.engine,
        request.app.state.mailer,
        request.app.state.staff_portal_url,
        reminder,
        vietnam_today(),
    )
    return asdict(done)
