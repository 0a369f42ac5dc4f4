"""A proposal's own page: what it would set, field by field beside its record then (when it was
made) and now, the fields the record changed since marked, and its audit trail. From here a
reviewer returns it to its author with a comment on each field that needs one and/or on the
whole, or, when its record changed since, takes the record's current version as its base
(then it can be approved on the import's page).

The proposal and its trail are collection's (`GET /v1/proposals/{id}`); the record now and its
versions are the registry's, read with the person's session. Each form carries the form token
and is authorised by the person's role before its input is read, then bounded as collection
bounds it; collection decides the rest and its refusals are shown in the page's language."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import Response

from hoptac.portal.adapters.backends import NotFound, Unavailable
from hoptac.portal.adapters.staff import Refused
from hoptac.portal.domain.proposal_compare import shown, side_by_side
from hoptac.portal.domain.review_form import WHOLE, comment_control, read_comments
from hoptac.portal.entrypoints.http.rendering import language_of
from hoptac.portal.entrypoints.http.workspace.imports import collection_of, imports_view
from hoptac.portal.entrypoints.http.workspace.session import (
    WORKSPACE,
    FormDep,
    Staff,
    StaffDep,
    go,
    refused_here,
    render,
    staff_registry,
)

router = APIRouter(include_in_schema=False)
PROPOSALS = f"{WORKSPACE}/de-xuat"
PROPOSAL = f"{PROPOSALS}/{{proposal_id}}"
# The steps collection audits on a proposal, each shown by its label ("rev.action.<step>").
AUDITED_STEPS = ("submit", "return", "approve", "rebase")


async def _record_beside(
    request: Request, staff: Staff, proposal: dict[str, Any]
) -> dict[str, Any]:
    """The record the proposal changes, now, with the proposal's fields beside it; or why it
    cannot be shown (the registry away, the record gone)."""
    registry = staff_registry(request)
    org_id = UUID(str(proposal["organization_id"]))
    try:
        current = await registry.organization(staff.session, org_id)
        versions = await registry.history(staff.session, org_id)
    except NotFound:
        return {"record_gone": True}
    except Unavailable:
        return {"registry_unavailable": True}
    base = proposal.get("base_version")
    return {
        "current_version": current.version,
        "behind": proposal.get("stale") or (base is not None and current.version != base),
        "sides": side_by_side(proposal.get("change") or {}, current.body, versions, base),
    }


async def proposal_view(
    request: Request,
    staff: Staff,
    proposal_id: UUID,
    review: dict[str, Any] | None = None,
    status_code: int = 200,
) -> Response:
    """The proposal's page; `review` says what a step came to, or what was typed with its
    problems."""
    try:
        proposal = await collection_of(request).proposal(
            staff.session, proposal_id, language_of(request)
        )
    except Unavailable:
        return await imports_view(request, staff, status_code=503)
    context: dict[str, Any] = {
        "proposal": proposal,
        "review": review or {},
        "whole": WHOLE,
        "control": comment_control,
        "shown": shown,
        "audited_steps": AUDITED_STEPS,
        "returned": "da-tra-lai" in request.query_params,
        "rebased": "da-lay-ban-moi" in request.query_params,
    }
    if proposal.get("organization_id"):
        context |= await _record_beside(request, staff, proposal)
    else:
        context["sides"] = side_by_side(proposal.get("change") or {}, {}, [], None)
    return render(request, "proposal.html", context, staff, status_code)


@router.get(PROPOSAL)
async def proposal_page(proposal_id: UUID, request: Request, staff: StaffDep) -> Response:
    return await proposal_view(request, staff, proposal_id)


@router.post(f"{PROPOSAL}/tra-lai")
async def return_(proposal_id: UUID, request: Request, form: FormDep, staff: StaffDep) -> Response:
    if not staff.reviews:
        return refused_here(request, staff)
    sent = [(name, value) for name, value in form.multi_items() if isinstance(value, str)]
    comments, typed, problems = read_comments(sent)
    if problems:
        review = {"problems": problems, "typed": typed}
        return await proposal_view(request, staff, proposal_id, review, 422)
    try:
        await collection_of(request).return_proposal(
            staff.session, proposal_id, comments, language_of(request)
        )
    except Refused as refused:
        review = {"refusal": refused.message, "at": comment_control(WHOLE), "typed": typed}
        return await proposal_view(request, staff, proposal_id, review, refused.status)
    except Unavailable:
        not_done: dict[str, Any] = {"not_done": True, "typed": typed}
        return await proposal_view(request, staff, proposal_id, not_done, 503)
    return go(f"{PROPOSALS}/{proposal_id}?da-tra-lai=1")


@router.post(f"{PROPOSAL}/lay-ban-moi")
async def rebase(proposal_id: UUID, request: Request, form: FormDep, staff: StaffDep) -> Response:
    if not staff.reviews:
        return refused_here(request, staff)
    try:
        await collection_of(request).rebase(staff.session, proposal_id, language_of(request))
    except Refused as refused:
        review = {"refusal": refused.message, "at": "rebase"}
        return await proposal_view(request, staff, proposal_id, review, refused.status)
    except Unavailable:
        return await proposal_view(request, staff, proposal_id, {"not_done": True}, 503)
    return go(f"{PROPOSALS}/{proposal_id}?da-lay-ban-moi=1")
