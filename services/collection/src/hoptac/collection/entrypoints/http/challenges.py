"""Routes of /v1/challenges: anyone reports an error on one record; staff of its area resolve."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse
from pydantic import Field, StringConstraints

from hoptac.collection.challenges import Challenges
from hoptac.collection.entrypoints.http.auth import CallerDep, WriteRoute
from hoptac.collection.entrypoints.http.schemas import Body, FieldPath

public = APIRouter(prefix="/v1/challenges", tags=["challenges"])
staff = APIRouter(prefix="/v1/challenges", tags=["challenges"], route_class=WriteRoute)
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=10, max_length=2000)]
Contact = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)]


class Report(Body):
    organization_id: UUID
    fields: list[FieldPath] = Field(
        default_factory=list, max_length=20, description="The fields that are wrong, if known."
    )
    what: Text = Field(description="What is wrong, and what is right if you know it.")
    contact: Contact | None = Field(
        default=None, description="How to reach you, if you wish: shown to staff, never published."
    )
    website: Annotated[str, StringConstraints(max_length=200)] | None = Field(
        default=None, description="Leave empty."
    )


class Resolution(Body):
    resolution: Text


def challenges_of(request: Request) -> Challenges:
    service: Challenges = request.app.state.challenges
    return service


@public.post(
    "",
    status_code=201,
    summary="Report an error on one record (báo sai thông tin); no token needed",
    responses={
        201: {"description": "Received: its id and the day it is due"},
        404: {"description": "No such organisation in the register"},
    },
)
async def report(body: Report, request: Request) -> JSONResponse:
    if body.website:  # only a robot fills the field people do not see: taken, not kept
        return JSONResponse({"id": None, "due_on": None}, status_code=201)
    address = request.client.host if request.client else "unknown"
    opened = await challenges_of(request).open(
        body.organization_id, body.fields, body.what, body.contact, address
    )
    return JSONResponse(opened, status_code=201)


@public.get("/figures", summary="Per province: challenges opened, resolved and late")
async def figures(request: Request) -> list[dict[str, Any]]:
    return await challenges_of(request).figures()


@public.get("/open", summary="How many challenges are open on one record")
async def open_on(request: Request, organization_id: Annotated[UUID, Query()]) -> dict[str, Any]:
    count = await challenges_of(request).open_on(organization_id)
    return {"organization_id": str(organization_id), "open": count}


@staff.get("", summary="Challenges in your area, the most urgent first")
async def tasks(
    request: Request,
    caller: CallerDep,
    open_only: Annotated[bool, Query(alias="open")] = True,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[dict[str, Any]]:
    return await challenges_of(request).tasks(caller, open_only, limit)


@staff.post(
    "/{challenge_id}/resolve",
    summary="Say how a challenge was resolved",
    responses={409: {"description": "It was resolved already"}},
)
async def resolve(
    challenge_id: UUID, body: Resolution, request: Request, caller: CallerDep
) -> dict[str, Any]:
    return await challenges_of(request).resolve(caller, challenge_id, body.resolution)
