"""The search results page, suggestions as you type, and the whole result set as a file."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response, StreamingResponse

from hoptac.portal.adapters.backends import Backends, NotFound, Rejected, Unavailable
from hoptac.portal.adapters.exports import Row, csv_chunks, xlsx_bytes
from hoptac.portal.domain.search_form import (
    MAX_QUERY_CHARS,
    SORTS,
    Problem,
    SearchForm,
    parse_search_form,
)
from hoptac.portal.entrypoints.http import search_view
from hoptac.portal.entrypoints.http.dependencies import BackendsDep, PagesDep, SettingsDep
from hoptac.portal.entrypoints.http.files import MEDIA_TYPES
from hoptac.portal.entrypoints.http.rendering import Pages, language_of

router = APIRouter(include_in_schema=False)

RESULTS = "results"  # the id of the part htmx swaps
FACET_ORDER = ("kind", "status", "sector", "operating_in_practice", "ocop", "province", "commune")
MAX_FACET_VALUES = 30
EXPORT_COLUMNS = (
    "registration_number",
    "name",
    "kind",
    "status",
    "sector_group",
    "province",
    "commune",
    "address_text",
    "registered_on",
    "operating_in_practice",
    "ocop_stars",
)


@router.get("/search")
async def search(request: Request, pages: PagesDep, backends: BackendsDep) -> Response:
    form, problems = parse_search_form(request.query_params.multi_items())
    context: dict[str, Any] = {
        "form": form,
        "problems": problems,
        "answer": None,
        "unavailable": False,
        "corrections": [],
        "facets": [],
        "hits": [],
        "sorts": SORTS,
        "max_query_chars": MAX_QUERY_CHARS,
    }
    if problems:
        return pages.render(request, "search.html", context, 422, fragment=RESULTS)
    try:
        answer = await backends.search_page(form.backend_params())
        context["answer"] = answer
        helpers = pages.helpers(language_of(request))
        context["facets"] = search_view.facets(
            form, answer["facets"], FACET_ORDER, MAX_FACET_VALUES, helpers
        )
        context["hits"] = search_view.hits(answer["items"], helpers)
        if answer["total"] == 0 and form.q:
            context["corrections"] = await backends.suggestions(form.q)
    except Rejected as rejected:
        context["problems"] = [Problem(f, "error.search_rejected") for f in rejected.fields]
        return pages.render(request, "search.html", context, 422, fragment=RESULTS)
    except (Unavailable, NotFound):
        context["unavailable"] = True
        return pages.render(request, "search.html", context, 503, fragment=RESULTS)
    return pages.render(request, "search.html", context, fragment=RESULTS)


@router.get("/suggest")
async def suggest(request: Request, pages: PagesDep, backends: BackendsDep) -> Response:
    """Names as you type, as a list of links (an htmx fragment; a plain list without JS)."""
    q = " ".join(request.query_params.get("q", "").split())[:MAX_QUERY_CHARS]
    try:
        items = await backends.suggestions(q) if len(q) >= 2 else []
    except (Unavailable, NotFound, Rejected):
        items = []
    return pages.render(request, "suggestions.html", {"items": items, "q": q})


@router.get("/search.{extension}")
async def search_file(
    extension: str,
    request: Request,
    pages: PagesDep,
    backends: BackendsDep,
    settings: SettingsDep,
) -> Response:
    """Every result of the query as CSV (streamed) or XLSX."""
    form, problems = parse_search_form(request.query_params.multi_items())
    if extension not in MEDIA_TYPES or problems or not await _search_answers(backends, form):
        return await search(request, pages, backends)  # the page says what is wrong
    header, rows = _export(pages, backends, form, request, settings.download_max_rows)
    headers = {"Content-Disposition": f'attachment; filename="hoptac-tim-kiem.{extension}"'}
    if extension == "csv":
        return StreamingResponse(
            csv_chunks(header, rows), media_type=MEDIA_TYPES["csv"], headers=headers
        )
    try:
        content = await xlsx_bytes("hoptac", header, rows)
    except (Unavailable, NotFound, Rejected):
        return await search(request, pages, backends)
    return Response(content, media_type=MEDIA_TYPES["xlsx"], headers=headers)


async def _search_answers(backends: Backends, form: SearchForm) -> bool:
    """Whether the search service takes this query now: asked before a download starts, so a
    failure is a page that says so rather than a broken file."""
    try:
        await backends.search_page(form.backend_params(limit=1))
    except (Unavailable, NotFound, Rejected):
        return False
    return True


def _export(
    pages: Pages, backends: Backends, form: SearchForm, request: Request, max_rows: int
) -> tuple[list[str], AsyncIterator[Row]]:
    helpers = pages.helpers(language_of(request))
    text: Callable[..., str] = helpers["_"]
    header = [text(f"export.{column}") for column in EXPORT_COLUMNS]
    params = [p for p in form.backend_params() if p[0] not in ("limit", "cursor")]

    async def rows() -> AsyncIterator[Row]:
        async for item in backends.every_hit(params, max_rows):
            yield _export_row(item, helpers)

    return header, rows()


def _export_row(item: dict[str, Any], helpers: dict[str, Any]) -> Row:
    label, area = helpers["label"], helpers["area"]
    return (
        item.get("registration_number"),
        item.get("name"),
        label("kind", item.get("kind")),
        label("status", item.get("status")),
        label("sector_group", item.get("sector_group")),
        area("province", item.get("province_code")) or item.get("province_code"),
        area("commune", item.get("commune_code")) or item.get("commune_code"),
        item.get("address_text"),
        item.get("registered_on"),
        label("operating_in_practice", item.get("operating_in_practice")),
        item.get("ocop_stars"),
    )
