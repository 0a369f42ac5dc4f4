"""The annual update campaigns (collection owns them): those of the person's area with their
completion, a form for reviewers to open the campaign of a year and province, and a campaign's
page: its completion per commune, the reminders sent, a button to remind the area's staff now
and, after the deadline, one to close it (in two steps: closing marks the records not updated
lapsed, which the workspace cannot undo). Collection decides what each person may see and do;
the portal only leaves out the buttons it would refuse."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import Response

from hoptac.portal.adapters.backends import Unavailable
from hoptac.portal.adapters.staff import Refused
from hoptac.portal.domain.campaign_form import FIELDS, MAX_FIELD, read_new_campaign, state_of
from hoptac.portal.domain.search_form import Problem
from hoptac.portal.entrypoints.http.rendering import language_of
from hoptac.portal.entrypoints.http.workspace.forms import area_names, provinces, today
from hoptac.portal.entrypoints.http.workspace.imports import collection_of
from hoptac.portal.entrypoints.http.workspace.session import (
    WORKSPACE,
    FormDep,
    Staff,
    StaffDep,
    go,
    refused_here,
    render,
)

router = APIRouter(include_in_schema=False)
CAMPAIGNS = f"{WORKSPACE}/dot-cap-nhat"
CAMPAIGN = f"{CAMPAIGNS}/{{campaign_id}}"


def _offered_provinces(request: Request, staff: Staff) -> list[tuple[str, str]]:
    """The provinces whose campaign the person may open: their own, or every one."""
    every = provinces(area_names(request))
    if not (staff.provinces or staff.communes):
        return every
    return [(code, name) for code, name in every if code in staff.provinces]


async def _list_page(
    request: Request,
    staff: Staff,
    values: dict[str, str] | None = None,
    problems: list[Problem] | None = None,
    refusal: str = "",
    status_code: int = 200,
) -> Response:
    """The campaigns with their completion (or a notice that collection is away), and the
    form that opens one."""
    day = today(request)
    context: dict[str, Any] = {
        "values": values or {"campaign_year": str(day.year)},
        "problems": problems or [],
        "refusal": refusal,
        "provinces": _offered_provinces(request, staff),
    }
    try:
        campaigns = await collection_of(request).campaigns(staff.session)
    except Unavailable:
        context["collection_unavailable"] = True
        status_code = max(status_code, 503)
    else:
        context["campaigns"] = [{**c, "state": state_of(c, day)} for c in campaigns]
    return render(request, "campaigns.html", context, staff, status_code)


@router.get(CAMPAIGNS)
async def campaigns_page(request: Request, staff: StaffDep) -> Response:
    return await _list_page(request, staff)


@router.post(CAMPAIGNS)
async def open_campaign(request: Request, form: FormDep, staff: StaffDep) -> Response:
    if not staff.reviews:
        return refused_here(request, staff)
    sent = {name: str(form.get(name) or "").strip()[:MAX_FIELD] for name in FIELDS}
    offered = {code for code, _name in _offered_provinces(request, staff)}
    asked, problems = read_new_campaign(sent, offered)
    if asked is None:
        return await _list_page(request, staff, sent, problems, status_code=422)
    try:
        made = await collection_of(request).open_campaign(
            staff.session, asked.year, asked.province, asked.deadline, language_of(request)
        )
    except Refused as refused:
        return await _list_page(
            request, staff, sent, refusal=refused.message, status_code=refused.status
        )
    except Unavailable:
        return await _list_page(request, staff, sent, status_code=503)
    return go(f"{CAMPAIGNS}/{made['id']}?da-mo=1")


async def _campaign_page(
    request: Request,
    staff: Staff,
    campaign_id: UUID,
    refusal: str = "",
    confirming: bool = False,
    status_code: int = 200,
) -> Response:
    """A campaign's completion per commune and its reminders (or a notice that collection is
    away), and why what was asked was not done: refused, or a service did not answer."""
    collection = collection_of(request)
    context: dict[str, Any] = {
        "refusal": refusal,
        "not_done": status_code == 503,
        "confirming": confirming,
        "opened": "da-mo" in request.query_params,
        "reminded": "da-nhac" in request.query_params,
        "closed_now": "da-ket-thuc" in request.query_params,
    }
    try:
        campaign = await collection.campaign(staff.session, campaign_id)
        context["reminders"] = await collection.reminders(staff.session, campaign_id)
    except Unavailable:
        context["collection_unavailable"] = True
        return render(request, "campaign.html", context, staff, max(status_code, 503))
    context["campaign"] = campaign
    context["state"] = state_of(campaign, today(request))
    return render(request, "campaign.html", context, staff, status_code)


@router.get(CAMPAIGN)
async def campaign_page(campaign_id: UUID, request: Request, staff: StaffDep) -> Response:
    return await _campaign_page(request, staff, campaign_id)


@router.post(f"{CAMPAIGN}/nhac-nho")
async def remind(campaign_id: UUID, request: Request, form: FormDep, staff: StaffDep) -> Response:
    if not staff.reviews:
        return refused_here(request, staff)
    try:
        await collection_of(request).remind(staff.session, campaign_id, language_of(request))
    except Refused as refused:
        return await _campaign_page(
            request, staff, campaign_id, refused.message, status_code=refused.status
        )
    except Unavailable:
        return await _campaign_page(request, staff, campaign_id, status_code=503)
    return go(f"{CAMPAIGNS}/{campaign_id}?da-nhac=1")


@router.post(f"{CAMPAIGN}/ket-thuc")
async def close(campaign_id: UUID, request: Request, form: FormDep, staff: StaffDep) -> Response:
    """First the question (what closing does), then, confirmed, the closing."""
    if not staff.reviews:
        return refused_here(request, staff)
    if form.get("confirm") != "yes":
        return await _campaign_page(request, staff, campaign_id, confirming=True)
    try:
        await collection_of(request).close_campaign(
            staff.session, campaign_id, language_of(request)
        )
    except Refused as refused:
        return await _campaign_page(
            request, staff, campaign_id, refused.message, status_code=refused.status
        )
    except Unavailable:
        return await _campaign_page(request, staff, campaign_id, status_code=503)
    return go(f"{CAMPAIGNS}/{campaign_id}?da-ket-thuc=1")
