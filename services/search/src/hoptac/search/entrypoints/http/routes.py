"""GET /v1/search, /v1/search/communes, /v1/suggest and /v1/index: validate, ask the index,
shape the answer."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response

from hoptac.search.adapters.port import SearchIndex
from hoptac.search.entrypoints.http import answers
from hoptac.search.entrypoints.http.parameters import (
    COMMUNES_PARAMETERS,
    SEARCH_PARAMETERS,
    SUGGEST_PARAMETERS,
)
from hoptac.search.entrypoints.http.schemas import (
    CommuneCountsAnswer,
    IndexState,
    SearchAnswer,
    SuggestAnswer,
)

router = APIRouter(prefix="/v1", tags=["search"])


def _index(request: Request) -> SearchIndex:
    index: SearchIndex = request.app.state.index
    return index


# Most requests to these two are answered by the fast path (`fast.py`) before they reach
# FastAPI; these routes declare them for /openapi.json and answer the rest alike.
@router.get(
    "/search",
    summary="Search the register (public fields)",
    response_model=SearchAnswer,
    openapi_extra={"parameters": SEARCH_PARAMETERS},
)
async def search(request: Request) -> Response:
    body = await answers.search(request.app.state, request.query_params.multi_items())
    return Response(body, media_type="application/json")


@router.get(
    "/search/communes",
    summary="A search's matches by current commune, for a map",
    response_model=CommuneCountsAnswer,
    openapi_extra={"parameters": COMMUNES_PARAMETERS},
)
async def communes(request: Request) -> Response:
    """The same words and filters as GET /v1/search; every match that holds every word is
    counted once, at the commune it lies in today."""
    body = await answers.communes(request.app.state, request.query_params.multi_items())
    return Response(body, media_type="application/json")


@router.get(
    "/suggest",
    summary="Names as you type",
    response_model=SuggestAnswer,
    openapi_extra={"parameters": SUGGEST_PARAMETERS},
)
async def suggest(request: Request) -> Response:
    body = await answers.suggest(request.app.state, request.query_params.multi_items())
    return Response(body, media_type="application/json")


@router.get(
    "/index",
    summary="The index in use: generation, documents, change-log position, consumer lag",
    response_model=IndexState,
)
async def index_status(request: Request) -> dict[str, Any]:
    index = _index(request)
    return {
        "generation": await index.generation(),
        "documents": await index.count(),
        "last_sequence": await index.last_sequence(),
        "consumer_lag": await request.app.state.background.lag(),
    }
