"""GET /v1/documents/search: the policy library's documents, by their words and facets."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field

from hoptac.contracts.codes import Kind, SectorGroup
from hoptac.contracts.library import DocumentStatus, DocumentType, Topic
from hoptac.search.adapters.library_port import DocumentIndex

router = APIRouter(prefix="/v1/documents", tags=["library"])

Words = Annotated[str, Query(max_length=200, pattern=r"^[^\x00-\x1f\x7f]*$")]
Issuers = Annotated[list[Annotated[str, Field(min_length=1, max_length=200)]], Query(max_length=20)]
Years = Annotated[list[Annotated[str, Field(pattern=r"^\d{4}$")]], Query(max_length=20)]
Areas = Annotated[list[Annotated[str, Field(pattern=r"^(national|\d{2})$")]], Query(max_length=40)]


class DocumentHit(BaseModel):
    id: str
    version: int
    number: str
    title: str
    type: DocumentType
    issuer: str
    signed_on: str | None
    in_force_from: str | None
    status: DocumentStatus
    topics: list[Topic]
    kinds: list[Kind]
    sectors: list[SectorGroup]
    area: str
    summary: str


class DocumentSearchAnswer(BaseModel):
    total: int
    items: list[DocumentHit]
    facets: dict[str, dict[str, int]] = Field(
        description="Per facet (type, status, issuer, topic, year, kind, sector, area), the "
        "matches per value under the other filters given."
    )


@router.get(
    "/search",
    summary="Search the policy library: words of the number, title, summary or text, with or "
    "without diacritics; filters and facets",
    response_model=DocumentSearchAnswer,
)
async def search_documents(
    request: Request,
    q: Words = "",
    type: Annotated[list[DocumentType], Query(max_length=10)] = [],  # noqa: B006
    status: Annotated[list[DocumentStatus], Query(max_length=10)] = [],  # noqa: B006
    issuer: Issuers = [],  # noqa: B006
    topic: Annotated[list[Topic], Query(max_length=20)] = [],  # noqa: B006
    year: Years = [],  # noqa: B006
    kind: Annotated[list[Kind], Query(max_length=10)] = [],  # noqa: B006
    sector: Annotated[list[SectorGroup], Query(max_length=20)] = [],  # noqa: B006
    area: Areas = [],  # noqa: B006
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    offset: Annotated[int, Query(ge=0, le=10_000)] = 0,
) -> dict[str, Any]:
    chosen: dict[str, list[Any]] = {
        "type": type,
        "status": status,
        "issuer": issuer,
        "topic": topic,
        "year": year,
        "kind": kind,
        "sector": sector,
        "area": area,
    }
    filters = {name: [str(v) for v in values] for name, values in chosen.items() if values}
    index: DocumentIndex = request.app.state.library_index
    return await index.search(q, filters, limit, offset)
