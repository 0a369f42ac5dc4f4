"""GET /v1/search, /v1/suggest and /v1/index: validate, ask the index, shape the answer."""

from __future__ import annotations

import time
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Query, Request, Response

from hoptac.search.adapters.port import SearchIndex
from hoptac.search.domain.query import parse_search, parse_suggest
from hoptac.search.entrypoints.http.parameters import SEARCH_PARAMETERS
from hoptac.search.entrypoints.http.schemas import IndexState, SearchAnswer, SuggestAnswer

router = APIRouter(prefix="/v1", tags=["search"])


def _index(request: Request) -> SearchIndex:
    index: SearchIndex = request.app.state.index
    return index


def _json(body: dict[str, Any]) -> Response:
    return Response(orjson.dumps(body), media_type="application/json")


# The search parameters, read from the query string directly: the domain validates them all
# (parse_search), and FastAPI's per-parameter machinery cost more than the search itself.
FILTERS = (
    "kind",
    "status",
    "sector",
    "province",
    "commune",
    "district",
    "operating_in_practice",
    "ocop",
    "digital",
)


@router.get(
    "/search",
    summary="Search the register (public fields)",
    response_model=SearchAnswer,
    openapi_extra={"parameters": SEARCH_PARAMETERS},
)
async def search(request: Request) -> Response:
    params = request.query_params
    filters = {name: params.getlist(name) for name in FILTERS if name in params}
    query = parse_search(
        params.get("q"),
        filters,
        params.get("bbox"),
        params.get("sort"),
        params.get("limit"),
        params.get("cursor"),
    )
    started = time.perf_counter()
    result = await _index(request).search(query)
    request.app.state.query_seconds.labels("search").observe(time.perf_counter() - started)
    return _json(
        {
            "total": result.total,
            "items": result.items,
            "facets": result.facets,
            "next_cursor": result.next_cursor,
        }
    )


@router.get("/suggest", summary="Names as you type", response_model=SuggestAnswer)
async def suggest(
    request: Request,
    q: Annotated[str | None, Query(description="The beginning of a name")] = None,
    limit: Annotated[int | None, Query(description="1 to 20, default 10")] = None,
) -> Response:
    text, size = parse_suggest(q, limit)
    started = time.perf_counter()
    items = await _index(request).suggest(text, size)
    request.app.state.query_seconds.labels("suggest").observe(time.perf_counter() - started)
    return _json({"items": items})


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
