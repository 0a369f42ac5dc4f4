"""Merge a record into another, or remove one entered by mistake: each in two steps, the second
a confirmation that names what will happen, since neither can be undone from the workspace."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.datastructures import FormData

from hoptac.portal.adapters.staff import Refused, StaffRegistry
from hoptac.portal.domain.record_form import parse_day
from hoptac.portal.domain.search_form import Problem
from hoptac.portal.entrypoints.http.workspace.forms import today
from hoptac.portal.entrypoints.http.workspace.records import RECORDS, record_url
from hoptac.portal.entrypoints.http.workspace.session import (
    FormDep,
    RegistryDep,
    Staff,
    StaffDep,
    go,
    render,
)

router = APIRouter(include_in_schema=False)
MERGE = f"{RECORDS}/{{org_id}}/sap-nhap"
REMOVE = f"{RECORDS}/{{org_id}}/xoa"
MIN_REASON, MAX_REASON = 3, 2000
MAX_NUMBER = 50


def _page(
    request: Request, staff: Staff, template: str, context: dict[str, Any], status: int = 200
) -> Response:
    defaults = {"values": {}, "problems": [], "confirming": False, "into": None}
    return render(request, template, {**defaults, **context}, staff, status)


async def _first_step(
    request: Request, staff: Staff, registry: StaffRegistry, org_id: UUID, template: str
) -> Response:
    record = await registry.organization(staff.session, org_id)
    return _page(request, staff, template, {"record": record.body, "version": record.version})


def _sent(form: FormData, *names: str) -> dict[str, str]:
    return {name: str(form.get(name) or "").strip()[:MAX_REASON] for name in names}


def _reason_and_day(sent: dict[str, str], request: Request) -> list[Problem]:
    problems = []
    if sent.get("effective_date"):
        day = parse_day(sent["effective_date"])
        if day is None:
            problems.append(Problem("effective_date", "error.day_invalid"))
        elif day > today(request):
            problems.append(Problem("effective_date", "error.day_future"))
    if not MIN_REASON <= len(sent["reason"]) <= MAX_REASON:
        problems.append(Problem("reason", "error.reason_required"))
    return problems


@router.get(MERGE)
async def merge_page(
    org_id: UUID, request: Request, staff: StaffDep, registry: RegistryDep
) -> Response:
    return await _first_step(request, staff, registry, org_id, "merge.html")


@router.post(MERGE)
async def merge(
    org_id: UUID, request: Request, form: FormDep, staff: StaffDep, registry: RegistryDep
) -> Response:
    record = await registry.organization(staff.session, org_id)
    sent = _sent(form, "into_number", "effective_date", "reason", "confirm", "version")
    problems = _reason_and_day(sent, request)
    number = sent["into_number"][:MAX_NUMBER]
    found = (
        await registry.organizations(staff.session, [("registration_number", number)])
        if number
        else []
    )
    into = next((o for o in found if str(o["id"]) != str(org_id)), None)
    if into is None:
        problems.insert(0, Problem("into_number", "error.into_unknown"))
    context = {"record": record.body, "version": record.version, "values": sent, "into": into}
    if problems:
        return _page(request, staff, "merge.html", {**context, "problems": problems}, 422)
    if sent["confirm"] != "yes" or sent["version"] != str(record.version):
        return _page(request, staff, "merge.html", {**context, "confirming": True})
    assert into is not None
    merger: dict[str, Any] = {"into": str(into["id"]), "reason": sent["reason"]}
    day = parse_day(sent["effective_date"]) if sent["effective_date"] else None
    if day is not None:
        merger["effective_date"] = day.isoformat()
    try:
        await registry.merge(staff.session, org_id, merger, record.version)
    except Refused as refused:
        if refused.status == 403:
            raise
        problems = [Problem("into_number", "error.merge_refused")]
        return _page(request, staff, "merge.html", {**context, "problems": problems}, 422)
    return go(record_url(org_id) + "?da-luu=1")


@router.get(REMOVE)
async def remove_page(
    org_id: UUID, request: Request, staff: StaffDep, registry: RegistryDep
) -> Response:
    return await _first_step(request, staff, registry, org_id, "remove.html")


@router.post(REMOVE)
async def remove(
    org_id: UUID, request: Request, form: FormDep, staff: StaffDep, registry: RegistryDep
) -> Response:
    record = await registry.organization(staff.session, org_id)
    sent = _sent(form, "reason", "confirm", "version")
    problems = _reason_and_day(sent, request)
    context = {"record": record.body, "version": record.version, "values": sent}
    if problems:
        return _page(request, staff, "remove.html", {**context, "problems": problems}, 422)
    if sent["confirm"] != "yes" or sent["version"] != str(record.version):
        return _page(request, staff, "remove.html", {**context, "confirming": True})
    await registry.remove(staff.session, org_id, sent["reason"], record.version)
    return go("/quan-ly")
