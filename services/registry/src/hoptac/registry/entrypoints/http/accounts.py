"""Admins manage people's accounts: list, create, disable (which ends their sessions at once)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Request, Response
from fastapi.responses import JSONResponse
from pydantic import Field

from hoptac.contracts.organization import CommuneCode, ProvinceCode
from hoptac.platform.text import Text
from hoptac.registry.adapters import accounts
from hoptac.registry.adapters.admin_units import official_units
from hoptac.registry.domain.access import Role, require_admin
from hoptac.registry.domain.areas import unknown_area_codes
from hoptac.registry.domain.errors import FieldProblem, InvalidFields, NotFound
from hoptac.registry.entrypoints.http.answers import AccountList, AccountView, documented
from hoptac.registry.entrypoints.http.auth import Caller, WriteRoute
from hoptac.registry.entrypoints.http.organizations import write_context
from hoptac.registry.entrypoints.http.schemas import Body, Plain
from hoptac.registry.entrypoints.http.sessions import Password, forget_cached_credentials

router = APIRouter(prefix="/v1/accounts", tags=["accounts"], route_class=WriteRoute)
Username = Annotated[str, Path(min_length=1, max_length=64), Plain]


class AccountCreate(Body):
    username: Annotated[str, Field(min_length=1, max_length=64), Plain]
    display_name: Annotated[str, Field(min_length=1, max_length=200), Plain]
    password: Password
    role: Role
    provinces: list[ProvinceCode] = Field(default_factory=list, max_length=50)
    communes: list[CommuneCode] = Field(default_factory=list, max_length=500)


@router.get("", summary="Every account (admins)", responses=documented(AccountList))
async def list_accounts(request: Request, caller: Caller) -> dict[str, Any]:
    require_admin(caller, Text("part.registry_listing_accounts"))
    async with request.app.state.registry.engine.connect() as conn:
        listed = await accounts.list_accounts(conn)
    return {"accounts": [account.public() for account in listed]}


@router.post(
    "", status_code=201, summary="Create an account (admins)", responses=documented(AccountView)
)
async def create_account(body: AccountCreate, request: Request, caller: Caller) -> JSONResponse:
    require_admin(caller, Text("part.registry_creating_accounts"))
    unknown = unknown_area_codes(official_units(), body.provinces, body.communes)
    if unknown:
        raise InvalidFields([FieldProblem("provinces", problem) for problem in unknown])
    async with request.app.state.registry.engine.begin() as conn:
        account = await accounts.create_account(
            conn,
            body.username,
            body.display_name,
            body.password,
            body.role,
            body.provinces,
            body.communes,
            write_context(request, caller),
        )
    return JSONResponse(account.public(), status_code=201)


@router.post(
    "/{username}/disable",
    status_code=204,
    summary="Disable an account and end its sessions now (admins)",
)
async def disable_account(username: Username, request: Request, caller: Caller) -> Response:
    require_admin(caller, Text("part.registry_disabling_accounts"))
    async with request.app.state.registry.engine.begin() as conn:
        disabled = await accounts.disable_account(conn, username, write_context(request, caller))
    if not disabled:
        raise NotFound(Text("registry.no_account_named", username=username))
    forget_cached_credentials(request)
    return Response(status_code=204)
