"""API tokens (admins): those in use, a new one, rotation (a new secret under the same name) and
revocation. A new secret is shown once, on the answer to the form, and never again."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from hoptac.portal.adapters.staff import Refused
from hoptac.portal.domain.search_form import Problem
from hoptac.portal.entrypoints.http.workspace.accounts import ROLES
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
TOKENS = f"{WORKSPACE}/ma-truy-cap"
FIELDS = ("token_name", "role", "province", "commune", "expires_in_days")
MAX_NAME = 100


async def _page(
    request: Request,
    staff: Staff,
    registry: RegistryDep,
    values: dict[str, str],
    problems: list[Problem],
    status_code: int = 200,
    secret: tuple[str, str] | None = None,
) -> Response:
    if not staff.is_admin:
        return render(request, "refused.html", {"message": ""}, staff, 403)
    context = {
        "tokens": await registry.tokens(staff.session),
        "roles": ROLES,
        "values": values,
        "problems": problems,
        "secret": secret,
    }
    return render(request, "tokens.html", context, staff, status_code)


@router.get(TOKENS)
async def tokens_page(request: Request, staff: StaffDep, registry: RegistryDep) -> Response:
    return await _page(request, staff, registry, {"expires_in_days": "365"}, [])


@router.post(TOKENS)
async def create_token(
    request: Request, form: FormDep, staff: StaffDep, registry: RegistryDep
) -> Response:
    sent = {name: str(form.get(name) or "").strip()[:MAX_NAME] for name in FIELDS}
    problems = []
    if len(sent["token_name"]) < 3:
        problems.append(Problem("token_name", "error.token_name_required"))
    if sent["role"] not in ROLES:
        problems.append(Problem("role", "error.choice_invalid"))
    days = sent["expires_in_days"]
    if not (days.isdigit() and 1 <= int(days) <= 3650):
        problems.append(Problem("expires_in_days", "error.days_invalid"))
    if problems:
        return await _page(request, staff, registry, sent, problems, 422)
    body = {
        "name": sent["token_name"],
        "role": sent["role"],
        "provinces": [sent["province"]] if sent["province"] else [],
        "communes": [sent["commune"]] if sent["commune"] else [],
        "expires_in_days": int(days),
    }
    try:
        secret = await registry.create_token(staff.session, body)
    except Refused as refused:
        if refused.status == 403:
            raise
        named = {path.split(".")[0] for path, _ in refused.fields}
        field = {"provinces": "province", "communes": "commune"}.get(min(named, default=""))
        problems = [Problem(field or "token_name", "error.registry_refused")]
        return await _page(request, staff, registry, sent, problems, 422)
    return await _page(request, staff, registry, {}, [], secret=(sent["token_name"], secret))


@router.post(f"{TOKENS}/{{name}}/xoay-vong")
async def rotate_token(
    name: str, request: Request, form: FormDep, staff: StaffDep, registry: RegistryDep
) -> Response:
    secret = await registry.rotate_token(staff.session, name[:MAX_NAME])
    return await _page(request, staff, registry, {}, [], secret=(name, secret))


@router.post(f"{TOKENS}/{{name}}/thu-hoi")
async def revoke_token(
    name: str, form: FormDep, staff: StaffDep, registry: RegistryDep
) -> Response:
    await registry.revoke_token(staff.session, name[:MAX_NAME])
    return go(TOKENS)
