"""Change a record's legal status: only the changes the registry's law table allows are offered
(GET /v1/reference/status-transitions), each with the fields it needs: the day it took effect, a
reason, and for a suspension the day it ends."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import Response

from hoptac.portal.adapters.staff import Refused, Versioned
from hoptac.portal.domain.record_form import parse_day
from hoptac.portal.domain.search_form import Problem
from hoptac.portal.entrypoints.http.dependencies import backends_of
from hoptac.portal.entrypoints.http.library import linked_basis
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
MIN_REASON, MAX_REASON = 3, 2000


async def _page(
    request: Request,
    staff: Staff,
    record: Versioned,
    allowed: list[str],
    values: dict[str, str],
    problems: list[Problem],
    status_code: int = 200,
) -> Response:
    """Each status offered says what the law entering it rests on, linked to the library (to
    the article, where staff recorded one)."""
    backends = await backends_of(request)
    context = {
        "record": record.body,
        "version": record.version,
        "allowed": allowed,
        "values": values,
        "problems": problems,
        "status_basis": await linked_basis(request, await backends.status_basis()),
    }
    return render(request, "status.html", context, staff, status_code)


@router.get(f"{RECORDS}/{{org_id}}/trang-thai")
async def status_page(
    org_id: UUID, request: Request, staff: StaffDep, registry: RegistryDep
) -> Response:
    record = await registry.organization(staff.session, org_id)
    if not staff.may_change(record.body):
        return render(request, "refused.html", {"message": ""}, staff, 403)
    allowed = (await registry.transitions()).get(str(record.body.get("status")), [])
    return await _page(request, staff, record, allowed, {}, [])


def _checked(sent: dict[str, str], allowed: list[str], request: Request) -> list[Problem]:
    problems = []
    if sent["status"] not in allowed:
        problems.append(Problem("status", "error.status_choose"))
    days = {}
    for name in ("effective_date", "suspended_until"):
        if sent[name]:
            days[name] = parse_day(sent[name])
            if days[name] is None:
                problems.append(Problem(name, "error.day_invalid"))
    effective = days.get("effective_date")
    if effective and effective > today(request):
        problems.append(Problem("effective_date", "error.day_future"))
    if sent["status"] == "suspended" and not sent["suspended_until"]:
        problems.append(Problem("suspended_until", "error.suspended_until_required"))
    until = days.get("suspended_until")
    if until and until <= (effective or today(request)):
        problems.append(Problem("suspended_until", "error.suspended_until_before"))
    if not MIN_REASON <= len(sent["reason"]) <= MAX_REASON:
        problems.append(Problem("reason", "error.reason_required"))
    return problems


@router.post(f"{RECORDS}/{{org_id}}/trang-thai")
async def change_status(
    org_id: UUID, request: Request, form: FormDep, staff: StaffDep, registry: RegistryDep
) -> Response:
    record = await registry.organization(staff.session, org_id)
    allowed = (await registry.transitions()).get(str(record.body.get("status")), [])
    fields = ("status", "effective_date", "suspended_until", "reason", "version")
    sent = {name: str(form.get(name) or "").strip()[:MAX_REASON] for name in fields}
    problems = _checked(sent, allowed, request)
    if not problems and sent["version"] != str(record.version):
        problems.append(Problem("status", "error.changed_meanwhile"))
    if problems:
        return await _page(request, staff, record, allowed, sent, problems, 422)
    change: dict[str, Any] = {"status": sent["status"], "reason": sent["reason"]}
    for name in ("effective_date", "suspended_until"):
        day = parse_day(sent[name]) if sent[name] else None
        if day is not None:
            change[name] = day.isoformat()
    try:
        await registry.change_status(staff.session, org_id, change, record.version)
    except Refused as refused:
        if refused.status == 403:
            return render(request, "refused.html", {"message": refused.message}, staff, 403)
        key = "error.changed_meanwhile" if refused.status == 412 else "error.transition_refused"
        return await _page(request, staff, record, allowed, sent, [Problem("status", key)], 422)
    return go(record_url(org_id) + "?da-luu=1")
