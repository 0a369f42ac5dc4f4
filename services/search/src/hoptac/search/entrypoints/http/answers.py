"""The bodies of GET /v1/search and /v1/suggest, from the query string's (name, value) pairs.

Shared by the FastAPI routes and the fast path (`fast.py`), so both answer alike."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Any

import orjson

from hoptac.search.adapters.port import SearchIndex
from hoptac.search.domain.filters import FILTERS
from hoptac.search.domain.places import PlaceFinder
from hoptac.search.domain.query import SearchQuery, parse_search, parse_suggest

Params = list[tuple[str, str]]

# The search parameters, read from the query string directly: the domain validates them all
# (parse_search), and FastAPI's per-parameter machinery cost more than the search itself.
FILTER_NAMES = tuple(f.name for f in FILTERS)


def _query(index: SearchIndex, params: Params) -> SearchQuery:
    single = dict(params)  # a repeated parameter: the last one, as Starlette's `get`
    filters = {name: [v for k, v in params if k == name] for name in FILTER_NAMES if name in single}
    return parse_search(
        single.get("q"),
        filters,
        single.get("bbox"),
        single.get("sort"),
        single.get("limit"),
        single.get("cursor"),
        index.cursor_kind,
    )


async def search(state: Any, params: Params) -> bytes:
    index: SearchIndex = state.index
    query = _query(index, params)
    started = time.perf_counter()
    body = await index.search_answer(query)
    state.query_seconds.labels("search").observe(time.perf_counter() - started)
    return body


async def communes(state: Any, params: Params) -> bytes:
    """The matches of a search by current commune: what a map of the results places."""
    index: SearchIndex = state.index
    query = _query(index, params)
    started = time.perf_counter()
    counts = await index.communes(query)
    state.query_seconds.labels("communes").observe(time.perf_counter() - started)
    return orjson.dumps({"total": counts.total, "communes": counts.communes})


async def suggest(state: Any, params: Params) -> bytes:
    single = dict(params)
    text, size = parse_suggest(single.get("q"), single.get("limit"))
    index: SearchIndex = state.index
    started = time.perf_counter()
    items = await index.suggest(text, size)
    places: PlaceFinder = state.places
    offered = [place.answer() for place in places.find(text)]
    state.query_seconds.labels("suggest").observe(time.perf_counter() - started)
    return orjson.dumps({"items": items, "places": offered})


ENDPOINTS: dict[str, Callable[[Any, Params], Awaitable[bytes]]] = {
    "/v1/search": search,
    "/v1/suggest": suggest,
}
