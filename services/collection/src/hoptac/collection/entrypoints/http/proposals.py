"""Routes of /v1/proposals: the review of proposed changes, each step audited."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Query

from hoptac.collection.entrypoints.http.auth import CallerDep, Service, WriteRoute
from hoptac.collection.entrypoints.http.schemas import ProposalIds, ProposalView, Return

router = APIRouter(prefix="/v1/proposals", tags=["review"], route_class=WriteRoute)
Many: dict[int | str, dict[str, Any]] = {200: {"model": list[ProposalView]}}
One: dict[int | str, dict[str, Any]] = {200: {"model": ProposalView}}
# What a step of the review may answer besides its result.
STEP_ERRORS: dict[int | str, dict[str, Any]] = {
    404: {"description": "A proposal is not in your area, or there is none with that id"},
    409: {"description": "A proposal is not in the state this step needs"},
}


@router.get("", summary="Proposals in your area, by state or import batch", responses=Many)
async def proposals(
    caller: CallerDep,
    service: Service,
    state: Annotated[
        str | None,
        Query(pattern="^(draft|submitted|returned|applying|applied|partly_applied|refused)$"),
    ] = None,
    batch: UUID | None = None,
    after: Annotated[UUID | None, Query(description="The last id of the previous page")] = None,
    before: Annotated[
        UUID | None, Query(description="The first id of the next page: the page before it")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[dict[str, Any]]:
    return await service.proposals(caller, state, batch, limit, after, before)


@router.get("/{proposal_id}", summary="One proposal with its audit trail", responses=One)
async def proposal(proposal_id: UUID, caller: CallerDep, service: Service) -> dict[str, Any]:
    return await service.proposal(caller, proposal_id)


@router.post(
    "/submit",
    summary="Put drafts of your area forward for review",
    responses={**Many, **STEP_ERRORS},
)
async def submit(body: ProposalIds, caller: CallerDep, service: Service) -> list[dict[str, Any]]:
    return await service.submit(caller, body.ids)


@router.post(
    "/approve",
    summary="Approve (another person than the author) and apply through the registry",
    responses={**Many, **STEP_ERRORS},
)
async def approve(
    body: ProposalIds,
    caller: CallerDep,
    service: Service,
    brief: Annotated[
        bool,
        Query(
            description="Answer each proposal's id, row, state, stale flag and outcome only, "
            "not what it proposes (what a caller approving thousands needs)"
        ),
    ] = False,
) -> list[dict[str, Any]]:
    return await service.approve(caller, body.ids, brief=brief)


@router.post(
    "/{proposal_id}/return",
    summary="Send back with comments per field",
    responses={**One, **STEP_ERRORS},
)
async def return_(
    proposal_id: UUID, body: Return, caller: CallerDep, service: Service
) -> dict[str, Any]:
    return await service.return_(caller, proposal_id, body.comments)


@router.post(
    "/{proposal_id}/rebase",
    summary="Take the record's current version as the base of a stale proposal",
    responses={**One, **STEP_ERRORS},
)
async def rebase(proposal_id: UUID, caller: CallerDep, service: Service) -> dict[str, Any]:
    return await service.rebase(caller, proposal_id)
