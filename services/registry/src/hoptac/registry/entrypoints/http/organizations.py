"""Routes of /v1/organizations: validate, call one use case, shape the answer."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Header, Query, Request, Response
from fastapi.responses import JSONResponse

from hoptac.platform.text import Text, TextError, shown
from hoptac.registry.adapters.repository import ListFilters, WriteContext
from hoptac.registry.domain.access import Principal
from hoptac.registry.domain.errors import FieldProblem, InvalidFields
from hoptac.registry.domain.record import Record
from hoptac.registry.entrypoints.http.answers import (
    WRITE_ERRORS,
    History,
    OrganizationPage,
    OrganizationView,
    documented,
)
from hoptac.registry.entrypoints.http.auth import TOKEN_OPTIONAL, Caller, WriteRoute
from hoptac.registry.entrypoints.http.schemas import (
    Day,
    ListQuery,
    Merger,
    OrganizationCreate,
    OrganizationPatch,
    StatusChange,
    clean_text,
)
from hoptac.registry.handlers import Modification, Registry, View

router = APIRouter(prefix="/v1/organizations", tags=["organizations"], route_class=WriteRoute)

IfMatch = Annotated[
    str | None,
    Header(description='The version you read, as its ETag: "3". Required on PATCH.'),
]
IfNoneMatch = Annotated[
    str | None,
    Header(
        max_length=100,
        description='The version you hold, as its ETag ("3"): 304 without a body while it is '
        "still the current one (reads without as_of).",
    ),
]


def registry_of(request: Request) -> Registry:
    registry: Registry = request.app.state.registry
    return registry


def write_context(request: Request, principal: Principal) -> WriteContext:
    client = request.client.host if request.client else "unknown"
    return WriteContext(
        actor=principal.name,
        actor_id=principal.actor_id,
        source=f"http {client} {request.headers.get('user-agent', '')[:200]}".strip(),
        correlation_id=(request.headers.get("x-correlation-id") or "")[:200] or None,
    )


def _tagged_version(value: str) -> int | None:
    """The version one entity tag names ("3", W/"3"); None when it names none."""
    tag = value.strip().removeprefix("W/").strip('"')
    return int(tag) if tag.isascii() and tag.isdigit() and len(tag) <= 9 else None


def parse_if_match(value: str | None) -> int | None:
    """The version an If-Match names; None when absent or `*` (any version)."""
    if value is None or value.strip() == "*":
        return None
    version = _tagged_version(value)
    if version is None:
        raise InvalidFields(
            [FieldProblem("If-Match", Text("registry.not_an_etag", value=shown(value)))]
        )
    return version


def answer(view: View, status_code: int = 200) -> JSONResponse:
    body = {**view.body, "warnings": view.warnings} if view.warnings else view.body
    return JSONResponse(body, status_code=status_code, headers={"ETag": f'"{view.version}"'})


@router.post(
    "",
    status_code=201,
    summary="Register an organisation",
    responses={**documented(OrganizationView, 201), 409: WRITE_ERRORS[409]},
)
async def register(body: OrganizationCreate, request: Request, caller: Caller) -> JSONResponse:
    context = write_context(request, caller)
    view = await registry_of(request).register(registration_record(body), caller, context)
    response = answer(view, 201)
    response.headers["Location"] = f"/v1/organizations/{view.body['id']}"
    return response


# What a write route makes of its request once read; a row of a batch makes exactly the same.


def registration_record(body: OrganizationCreate) -> Record:
    """The record a registration asks for, as the registry stores it."""
    if body.effective_date is not None and body.effective_date != body.registered_on:
        raise InvalidFields(
            [FieldProblem("effective_date", Text("registry.registration_effective_date"))]
        )
    record: Record = clean_text(
        body.model_dump(mode="json", exclude={"effective_date"}, exclude_none=True)
    )
    return record


def update_request(
    registry: Registry,
    org_id: UUID,
    body: OrganizationPatch,
    expected_version: int | None,
    caller: Principal,
    context: WriteContext,
) -> Modification:
    changes = clean_text(
        body.model_dump(mode="json", exclude_unset=True, exclude={"effective_date", "reason"})
    )
    if not changes:
        raise InvalidFields([FieldProblem("body", Text("registry.nothing_to_change"))])
    return registry.update_of(
        org_id,
        changes,
        body.effective_date,
        expected_version,
        caller,
        context,
        reason=clean_text(body.reason, "reason") if body.reason else None,
    )


def status_request(
    registry: Registry,
    org_id: UUID,
    body: StatusChange,
    expected_version: int | None,
    caller: Principal,
    context: WriteContext,
) -> Modification:
    return registry.status_change_of(
        org_id,
        body.status,
        body.effective_date,
        clean_text(body.reason, "reason"),
        body.suspended_until,
        expected_version,
        caller,
        context,
        correction=body.correction,
    )


@router.get(
    "",
    summary="List organisations, filtered, one page at a time",
    responses=documented(OrganizationPage),
    openapi_extra=TOKEN_OPTIONAL,
)
async def list_organizations(
    request: Request, caller: Caller, query: Annotated[ListQuery, Query()]
) -> dict[str, Any]:
    filters = ListFilters(
        kind=tuple(query.kind),
        status=tuple(query.status),
        province=tuple(query.province),
        commune=tuple(query.commune),
        legacy_commune=tuple(query.legacy_commune),
        legacy_district=tuple(query.legacy_district),
        sector_group=tuple(query.sector_group),
        registration_number=query.registration_number,
        updated_since=query.updated_since,
        verified_before=query.verified_before,
    )
    cursor, limit = query.cursor, query.limit
    context = write_context(request, caller)
    try:
        page = await registry_of(request).list(filters, cursor, limit, caller, context)
    except ValueError as error:
        problem = error.text if isinstance(error, TextError) else Text("registry.cursor_unknown")
        raise InvalidFields([FieldProblem("cursor", problem)]) from error
    await request.app.state.restricted_quota.spend(caller, page.restricted_shown)
    return {"items": page.items, "next_cursor": page.next_cursor}


@router.get(
    "/{org_id}",
    summary="Read one organisation, now or as of a date",
    responses={
        **documented(OrganizationView),
        304: {"description": "The version named by If-None-Match is still the current one"},
        410: WRITE_ERRORS[410],
    },
    openapi_extra=TOKEN_OPTIONAL,
)
async def read(
    org_id: UUID,
    request: Request,
    caller: Caller,
    as_of: Annotated[Day | None, Query(description="The record as it stood that day")] = None,
    if_none_match: IfNoneMatch = None,
) -> Response:
    registry = registry_of(request)
    held = _held_version(if_none_match) if as_of is None else None
    # A reader who keeps the record (the portal) learns it is current without its body.
    if held is not None and await registry.still_current(org_id, held):
        return Response(status_code=304, headers={"ETag": f'"{held}"'})
    return answer(await registry.get(org_id, caller, as_of))


def _held_version(value: str | None) -> int | None:
    """The one version an If-None-Match names; None for anything else (`*`, a list, a tag
    that is not a version), which is then answered in full."""
    return None if value is None else _tagged_version(value)


@router.patch(
    "/{org_id}",
    summary="Change fields (JSON merge patch); needs If-Match",
    responses={**documented(OrganizationView), **WRITE_ERRORS},
)
async def patch(
    org_id: UUID,
    body: OrganizationPatch,
    request: Request,
    caller: Caller,
    if_match: IfMatch = None,
) -> JSONResponse:
    if if_match is None:
        return JSONResponse(
            status_code=428,
            content={
                "error": "if_match_required",
                "message": "send If-Match with the ETag of the version you read",
            },
        )
    registry = registry_of(request)
    context = write_context(request, caller)
    change = update_request(registry, org_id, body, parse_if_match(if_match), caller, context)
    return answer(await registry.apply_change(change))


@router.post(
    "/{org_id}/status",
    summary="Change the legal status (409 if the law forbids it)",
    responses={**documented(OrganizationView), **WRITE_ERRORS},
)
async def change_status(
    org_id: UUID, body: StatusChange, request: Request, caller: Caller, if_match: IfMatch = None
) -> JSONResponse:
    registry = registry_of(request)
    context = write_context(request, caller)
    change = status_request(registry, org_id, body, parse_if_match(if_match), caller, context)
    return answer(await registry.apply_change(change))


@router.post(
    "/{org_id}/merge",
    summary="Record that this organisation merged into another",
    responses={**documented(OrganizationView), **WRITE_ERRORS},
)
async def merge(
    org_id: UUID, body: Merger, request: Request, caller: Caller, if_match: IfMatch = None
) -> JSONResponse:
    view = await registry_of(request).merge(
        org_id,
        body.into,
        body.effective_date,
        clean_text(body.reason, "reason"),
        parse_if_match(if_match),
        caller,
        write_context(request, caller),
    )
    return answer(view)


@router.delete(
    "/{org_id}",
    status_code=204,
    summary="Remove a record entered by mistake (history is kept)",
    responses=WRITE_ERRORS,
)
async def remove(
    org_id: UUID,
    request: Request,
    caller: Caller,
    reason: Annotated[str, Query(min_length=3, max_length=2000)],
    if_match: IfMatch = None,
) -> Response:
    await registry_of(request).remove(
        org_id,
        clean_text(reason, "reason"),
        parse_if_match(if_match),
        caller,
        write_context(request, caller),
    )
    return Response(status_code=204)


@router.get(
    "/{org_id}/history",
    summary="Every version: who, when, why and what changed",
    responses=documented(History),
    openapi_extra=TOKEN_OPTIONAL,
)
async def history(org_id: UUID, request: Request, caller: Caller) -> dict[str, Any]:
    return {
        "organization_id": str(org_id),
        "versions": await registry_of(request).history(org_id, caller),
    }
