"""Admins manage API tokens over HTTP as `hoptac token` does: list, create (shown once), revoke,
and rotate (a new secret under the same name; the old one stops at once)."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Path, Request, Response
from fastapi.responses import JSONResponse
from pydantic import Field, StringConstraints

from hoptac.contracts.organization import CommuneCode, ProvinceCode
from hoptac.platform.text import Text
from hoptac.registry.adapters import tokens
from hoptac.registry.adapters.admin_units import official_units
from hoptac.registry.domain.access import Role, require_admin
from hoptac.registry.domain.areas import unknown_area_codes
from hoptac.registry.domain.errors import FieldProblem, InvalidFields, NotFound
from hoptac.registry.entrypoints.http.auth import Caller, WriteRoute
from hoptac.registry.entrypoints.http.organizations import write_context
from hoptac.registry.entrypoints.http.schemas import Body, Plain
from hoptac.registry.entrypoints.http.sessions import forget_cached_credentials

router = APIRouter(prefix="/v1/tokens", tags=["tokens"], route_class=WriteRoute)
TokenName = Annotated[str, Path(min_length=1, max_length=100), Plain]
Days = Annotated[int, Field(ge=1, le=3650)]


class TokenCreate(Body):
    name: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=3, max_length=100), Plain
    ]
    role: Role
    provinces: list[ProvinceCode] = Field(default_factory=list, max_length=50)
    communes: list[CommuneCode] = Field(default_factory=list, max_length=500)
    expires_in_days: Days = tokens.DEFAULT_LIFETIME.days


class Rotation(Body):
    expires_in_days: Days = tokens.DEFAULT_LIFETIME.days


@router.get("", summary="Tokens in use, soonest to expire first (admins; never the secret)")
async def list_tokens(request: Request, caller: Caller) -> dict[str, Any]:
    require_admin(caller, Text("part.registry_listing_tokens"))
    async with request.app.state.registry.engine.connect() as conn:
        rows = await tokens.list_tokens(conn)
    return {
        "tokens": [
            {
                "name": row.name,
                "role": row.role,
                "provinces": list(row.provinces),
                "communes": list(row.communes),
                "created_at": row.created_at.isoformat(),
                "expires_at": row.expires_at.isoformat(),
            }
            for row in rows
        ]
    }


@router.post("", status_code=201, summary="Create a token, shown once (admins)")
async def create_token(body: TokenCreate, request: Request, caller: Caller) -> JSONResponse:
    require_admin(caller, Text("part.registry_creating_tokens"))
    unknown = unknown_area_codes(official_units(), body.provinces, body.communes)
    if unknown:
        raise InvalidFields([FieldProblem("provinces", problem) for problem in unknown])
    try:
        async with request.app.state.registry.engine.begin() as conn:
            token = await tokens.create_token(
                conn,
                body.name,
                body.role,
                body.provinces,
                body.communes,
                write_context(request, caller),
                timedelta(days=body.expires_in_days),
            )
    except tokens.TokenRefused as error:
        raise InvalidFields([FieldProblem("name", error.text)]) from error
    return JSONResponse({"name": body.name, "token": token}, status_code=201)


@router.post("/{name}/revoke", status_code=204, summary="Revoke a token now (admins)")
async def revoke_token(name: TokenName, request: Request, caller: Caller) -> Response:
    require_admin(caller, Text("part.registry_revoking_tokens"))
    async with request.app.state.registry.engine.begin() as conn:
        revoked = await tokens.revoke_token(conn, name, write_context(request, caller))
    if not revoked:
        raise NotFound(Text("registry.no_token_named", name=name))
    forget_cached_credentials(request)
    return Response(status_code=204)


@router.post("/{name}/rotate", summary="A new secret for a token; the old stops now (admins)")
async def rotate_token(
    name: TokenName, body: Rotation, request: Request, caller: Caller
) -> dict[str, str]:
    require_admin(caller, Text("part.registry_rotating_tokens"))
    async with request.app.state.registry.engine.begin() as conn:
        token = await tokens.rotate_token(
            conn, name, write_context(request, caller), timedelta(days=body.expires_in_days)
        )
    if token is None:
        raise NotFound(Text("registry.no_token_named", name=name))
    forget_cached_credentials(request)
    return {"name": name, "token": token}
