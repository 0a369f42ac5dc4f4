"""The review of an import's proposals, on the import's page: the person who imported puts its
drafts forward for review; a reviewer (someone else: collection refuses an approval by the
proposal's author) approves those ticked or every one submitted, and sees what came of it.
Returning one with comments, and rebasing a stale one, are on the proposal's own page
(proposal.py). Each form carries the form token and is authorised by the person's role before
anything is read or sent; collection decides the rest and its refusals are shown in the page's
language."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from starlette.datastructures import FormData

from hoptac.portal.adapters.backends import Unavailable
from hoptac.portal.adapters.staff import Refused
from hoptac.portal.domain.review_form import (
    APPROVE_STEP,
    Outcome,
    read_ticked,
    steps,
)
from hoptac.portal.entrypoints.http.rendering import language_of
from hoptac.portal.entrypoints.http.workspace.imports import IMPORTS, batch_view, collection_of
from hoptac.portal.entrypoints.http.workspace.session import (
    MAX_FIELD_BYTES,
    FormDep,
    StaffDep,
    go,
    refused_here,
    token_checked,
)

router = APIRouter(include_in_schema=False)
BATCH = f"{IMPORTS}/{{batch_id}}"


async def ticked_form(request: Request) -> FormData:
    """The approval form, bounded to a step's worth of ticked ids (beyond the other forms'
    field count, so that one page of ticks fits), once its token matches."""
    form = await request.form(
        max_files=0, max_fields=APPROVE_STEP + 10, max_part_size=MAX_FIELD_BYTES
    )
    return token_checked(request, form)


TickedDep = Annotated[FormData, Depends(ticked_form)]


@router.post(f"{BATCH}/gui-duyet")
async def submit(batch_id: UUID, request: Request, form: FormDep, staff: StaffDep) -> Response:
    if not staff.writes:
        return refused_here(request, staff)
    try:
        submitted = await collection_of(request).submit_batch(
            staff.session, batch_id, language_of(request)
        )
    except Refused as refused:
        review = {"refusal": refused.message, "at": "submit"}
        return await batch_view(request, staff, batch_id, review, refused.status)
    except Unavailable:
        return await batch_view(request, staff, batch_id, {"not_done": True}, 503)
    return go(f"{IMPORTS}/{batch_id}?da-gui={submitted}")


@router.post(f"{BATCH}/phe-duyet")
async def approve(batch_id: UUID, request: Request, form: TickedDep, staff: StaffDep) -> Response:
    """Those ticked, or every one submitted; in steps of what collection takes at once, two
    side by side, each pair applied before the next is sent, so a refusal stops only what is
    left (what the other step of its pair applied is counted)."""
    if not staff.reviews:
        return refused_here(request, staff)
    collection, language = collection_of(request), language_of(request)
    outcome = Outcome()
    try:
        if form.get("which") == "all":
            ids = await collection.submitted_of(staff.session, batch_id)
        else:
            ids, problems = read_ticked([str(value) for value in form.getlist("id")])
            if problems:
                review: dict[str, Any] = {"problems": problems, "at": "approve"}
                return await batch_view(request, staff, batch_id, review, 422)
        for together in steps(ids):
            answers = await asyncio.gather(
                *(collection.approve(staff.session, step, language) for step in together),
                return_exceptions=True,
            )
            for answer in answers:
                if not isinstance(answer, BaseException):
                    outcome.count(answer)
            for answer in answers:
                if isinstance(answer, BaseException):
                    raise answer
    except Refused as refused:
        review = {"outcome": outcome, "refusal": refused.message, "at": "approve"}
        return await batch_view(request, staff, batch_id, review, refused.status)
    except Unavailable:
        review = {"outcome": outcome, "not_done": True}
        return await batch_view(request, staff, batch_id, review, 503)
    return await batch_view(request, staff, batch_id, {"outcome": outcome, "approved": True})
