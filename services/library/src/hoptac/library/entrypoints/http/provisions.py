"""A document's articles, and which of them the register's rules rest on: public reads; staff
(reviewers and admins) record the provisions, audited."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Query, Request

from hoptac.library.entrypoints.http.auth import CallerDep, WriteRoute
from hoptac.library.entrypoints.http.documents import IfMatch, expected_version, library_of
from hoptac.library.entrypoints.http.schemas import (
    ArticleList,
    CitedList,
    ProvisionsIn,
    RuleList,
)

router = APIRouter(prefix="/v1/documents", tags=["articles"], route_class=WriteRoute)


@router.get(
    "/{document_id}/articles",
    summary="The document's articles and annexes, split from its file's text",
    response_model=ArticleList,
)
async def articles(request: Request, document_id: UUID) -> dict[str, Any]:
    """Empty when no text could be extracted or none of it is headed `Điều N.`/`Phụ lục`."""
    return {"items": await library_of(request).articles(document_id)}


@router.get(
    "/{document_id}/rules",
    summary="The register's rules that cite the document, with the article recorded",
    response_model=RuleList,
)
async def rules(request: Request, document_id: UUID) -> dict[str, Any]:
    return {"items": await library_of(request).rules_citing(document_id)}


@router.put(
    "/{document_id}/provisions",
    summary="Record which article each rule rests on (needs If-Match: its version)",
)
async def record_provisions(
    request: Request,
    document_id: UUID,
    body: ProvisionsIn,
    caller: CallerDep,
    if_match: IfMatch,
) -> dict[str, Any]:
    version = expected_version(if_match)
    return await library_of(request).record_provisions(
        caller, document_id, version, body.chosen(), body.reason
    )


cited_router = APIRouter(prefix="/v1/provisions", tags=["articles"])


@cited_router.get(
    "",
    summary="Every article recorded as the basis of a rule of the register",
    response_model=CitedList,
)
async def cited(
    request: Request,
    rule: Annotated[
        str | None,
        Query(
            pattern=r"^(status|field)\.[a-z_]+(\.[a-z_]+)*$",
            max_length=80,
            description="Only this rule's, e.g. `status.suspended` (a 409's `rule`).",
        ),
    ] = None,
) -> dict[str, Any]:
    items = await library_of(request).provisions()
    return {"items": [i for i in items if rule is None or i["rule"] == rule]}
