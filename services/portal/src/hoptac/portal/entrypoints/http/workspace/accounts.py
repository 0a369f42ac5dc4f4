"""Accounts (admins): who may sign in, with which role and area; create and disable. The
registry enforces that only admins do this; the page only hides it from others."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from hoptac.portal.adapters.staff import Refused
from hoptac.portal.domain.search_form import Problem
from hoptac.portal.entrypoints.http.workspace.session import (
    WORKSPACE,
    FormDep,
    RegistryDep,
    Staff,
    StaffDep,
    go,
    render,
)

router = APIRouter(include_in_schema=False)
ACCOUNTS = f"{WORKSPACE}/tai-khoan"
ROLES = ("admin", "reviewer", "area_officer", "agency_reader")
FIELDS = ("username", "display_name", "password", "role", "province", "commune")
REQUIRED = ("username", "display_name", "password")


async def _page(
    request: Request,
    staff: Staff,
    registry: RegistryDep,
    values: dict[str, str],
    problems: list[Problem],
    status_code: int = 200,
) -> Response:
    if not staff.is_admin:
        return render(request, "refused.html", {"message": ""}, staff, 403)
    listed = await registry.accounts(staff.session)
    context = {"accounts": listed, "roles": ROLES, "values": values, "problems": problems}
    return render(request, "accounts.html", context, staff, status_code)


@router.get(ACCOUNTS)
async def accounts_page(request: Request, staff: StaffDep, registry: RegistryDep) -> Response:
    return await _page(request, staff, registry, {}, [])


@router.post(ACCOUNTS)
async def create_account(
    request: Request, form: FormDep, staff: StaffDep, registry: RegistryDep
) -> Response:
    sent = {name: str(form.get(name) or "").strip()[:200] for name in FIELDS}
    problems = [Problem(name, f"error.{name}_required") for name in REQUIRED if not sent[name]]
    if sent["role"] not in ROLES:
        problems.append(Problem("role", "error.choice_invalid"))
    if sent["password"] and len(sent["password"]) < 10:
        problems.append(Problem("password", "error.password_short"))
    if not problems:
        account = {
            "username": sent["username"].lower(),
            "display_name": sent["display_name"],
            "password": sent["password"],
            "role": sent["role"],
            "provinces": [sent["province"]] if sent["province"] else [],
            "communes": [sent["commune"]] if sent["commune"] else [],
        }
        try:
            await registry.create_account(staff.session, account)
        except Refused as refused:
            named = {path.split(".")[0].removesuffix("s") for path, _ in refused.fields}
            problems = [
                Problem(name if name in FIELDS else "username", "error.registry_refused")
                for name in sorted(named)
            ] or [Problem("username", "error.registry_refused")]
    if problems:
        sent["password"] = ""
        return await _page(request, staff, registry, sent, problems, 422)
    return go(ACCOUNTS)


@router.post(f"{ACCOUNTS}/{{username}}/vo-hieu")
async def disable_account(
    username: str, form: FormDep, staff: StaffDep, registry: RegistryDep
) -> Response:
    await registry.disable_account(staff.session, username[:64])
    return go(ACCOUNTS)
