"""Create and edit a record. The form is checked here first (messages beside each field, a
summary at the top); the registry checks again and decides. When someone else changed the
record since the form was opened, the page shows what they changed and offers to re-apply the
person's own changes on top: nothing is ever overwritten silently."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import Response

from hoptac.contracts.codes import Kind, OperatingInPractice, SectorGroup
from hoptac.portal.adapters.staff import Refused, StaffRegistry, Versioned
from hoptac.portal.domain.record_form import (
    Parsed,
    changed_fields,
    field_named,
    merge_patch,
    only,
    originals_of,
    parse,
    parse_day,
    record_of,
    shown,
    touched,
    value_at,
)
from hoptac.portal.domain.search_form import Problem
from hoptac.portal.entrypoints.http.errors import not_found_page
from hoptac.portal.entrypoints.http.library import required_fields_basis
from hoptac.portal.entrypoints.http.workspace.forms import (
    area_names,
    form_areas,
    refused_problems,
    today,
    unit_choices,
)
from hoptac.portal.entrypoints.http.workspace.session import (
    WORKSPACE,
    FormDep,
    RegistryDep,
    Staff,
    StaffDep,
    go,
    render,
    staff_registry,
)

router = APIRouter(include_in_schema=False)
RECORDS = f"{WORKSPACE}/ho-so"
# The form control whose list follows each unit control (htmx swaps it when the unit changes).
LISTED_BELOW = {
    "province_code": "commune_code",
    "legacy_province_code": "legacy_district_code",
    "legacy_district_code": "legacy_commune_code",
}
NEW = f"{RECORDS}/moi"
MAX_REASON = 2000


def record_url(org_id: UUID | str) -> str:
    return f"{RECORDS}/{org_id}"


async def _form_page(
    request: Request,
    staff: Staff,
    values: dict[str, str],
    problems: list[Problem],
    record: Versioned | None,
    status_code: int = 200,
    **extra: Any,
) -> Response:
    context = {
        "values": values,
        "problems": problems,
        "record": record.body if record else None,
        "version": record.version if record else None,
        "creating": record is None,
        "saved": request.query_params.get("da-luu") == "1",
        "kinds": tuple(Kind),
        "sector_groups": tuple(SectorGroup),
        "practices": tuple(OperatingInPractice),
        **unit_choices(request, values),
        "vsic_divisions": await staff_registry(request).vsic_divisions(),
        "field_basis": await required_fields_basis(request),
        **extra,
    }
    return render(request, "record_form.html", context, staff, status_code)


@router.get(NEW)
async def new_record(request: Request, staff: StaffDep) -> Response:
    province = staff.provinces[0] if len(staff.provinces) == 1 else ""
    return await _form_page(request, staff, {"province_code": province}, [], None)


@router.post(NEW)
async def create_record(
    request: Request, form: FormDep, staff: StaffDep, registry: RegistryDep
) -> Response:
    parsed = parse(
        {k: str(v) for k, v in form.items()}, True, today(request), form_areas(area_names(request))
    )
    if parsed.problems:
        return await _form_page(request, staff, parsed.raw, parsed.problems, None, 422)
    try:
        created = await registry.register(staff.session, record_of(parsed.values))
    except Refused as refused:
        if refused.status == 403:
            return render(request, "refused.html", {"message": refused.message}, staff, 403)
        problems = (
            [Problem("registration_number", "error.registration_number_taken")]
            if refused.status == 409
            else refused_problems(refused, "name")
        )
        return await _form_page(request, staff, parsed.raw, problems, None, 422)
    return go(record_url(created.body["id"]) + "?da-luu=1")


@router.get(f"{RECORDS}/{{org_id}}")
async def edit_record(
    org_id: UUID, request: Request, staff: StaffDep, registry: RegistryDep
) -> Response:
    record = await registry.organization(staff.session, org_id)
    if not staff.may_change(record.body):
        return render(request, "refused.html", {"message": ""}, staff, 403)
    values = shown(record.body, creating=False)
    return await _form_page(request, staff, values, [], record, originals=values)


@router.post(f"{RECORDS}/{{org_id}}")
async def save_record(
    org_id: UUID, request: Request, form: FormDep, staff: StaffDep, registry: RegistryDep
) -> Response:
    sent = {k: str(v) for k, v in form.items()}
    originals = originals_of(sent)
    every = parse(sent, False, today(request), form_areas(area_names(request)))
    names = touched(every, originals)
    parsed = only(every, names)
    effective = sent.get("effective_date", "").strip()[:10]
    problems = list(parsed.problems)
    if effective and parse_day(effective) is None:
        problems.append(Problem("effective_date", "error.day_invalid"))
    current = await registry.organization(staff.session, org_id)
    extra = {"effective_date": effective, "originals": originals}
    if problems:
        return await _form_page(request, staff, parsed.raw, problems, current, 422, **extra)
    base = _int(sent.get("version"))
    if base != current.version:
        return await _conflict(request, staff, registry, current, parsed, names, base, effective)
    patch = merge_patch(parsed.values, current.body)
    if not patch:
        return go(record_url(org_id))
    day = parse_day(effective) if effective else None
    if day is not None:
        patch["effective_date"] = day.isoformat()
    try:
        await registry.update(staff.session, org_id, patch, current.version)
    except Refused as refused:
        if refused.status == 412:
            fresh = await registry.organization(staff.session, org_id)
            return await _conflict(request, staff, registry, fresh, parsed, names, base, effective)
        if refused.status == 403:
            return render(request, "refused.html", {"message": refused.message}, staff, 403)
        problems = refused_problems(refused, "name")
        return await _form_page(request, staff, parsed.raw, problems, current, 422, **extra)
    return go(record_url(org_id) + "?da-luu=1")


def _int(value: str | None) -> int:
    text = (value or "").strip()[:9]
    return int(text) if text.isdigit() else 0


async def _conflict(
    request: Request,
    staff: Staff,
    registry: StaffRegistry,
    current: Versioned,
    parsed: Parsed,
    names: set[str],
    base: int,
    effective: str,
) -> Response:
    """Someone saved the record after this form was opened: what they changed since `base`, and
    what the person's form would still change now, to re-apply with one button."""
    versions = await registry.history(staff.session, UUID(str(current.body["id"])))
    theirs = [v for v in versions if int(v.get("version", 0)) > base]
    mine = merge_patch(parsed.values, current.body)
    now = shown(current.body, creating=False)
    context = {
        "record": current.body,
        "version": current.version,
        "theirs": theirs,
        "mine": [
            {
                "field": field_named(path),
                "now": value_at(current.body, path),
                "mine": value_at(mine, path),
            }
            for path in changed_fields(mine)
        ],
        # The re-applied form: the person's values where they changed something, the record's
        # as it is now elsewhere, and now as what the form showed.
        "values": {name: parsed.raw[name] if name in names else now[name] for name in now},
        "originals": now,
        "effective_date": effective,
    }
    return render(request, "conflict.html", context, staff, 409)


@router.get(f"{WORKSPACE}/don-vi")
async def units_below(request: Request, staff: StaffDep) -> Response:
    """The list of units under the one just chosen (htmx swaps it into the form): a province's
    communes, a former province's districts, a former district's communes."""
    chosen = {name: value[:5] for name, value in request.query_params.items()}
    below = next((lower for upper, lower in LISTED_BELOW.items() if upper in chosen), None)
    if below is None:
        return not_found_page(request)
    context = {**unit_choices(request, chosen), "control": below}
    return render(request, "units.html", context, staff)
