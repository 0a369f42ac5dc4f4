"""The map page: organisations at their communes' centroids, grouped where dense, drawn by the
server as SVG; the same counts as a table by commune, which is the whole page without pictures
(and with JavaScript off, the same page).

It takes the search page's URL parameters, all of them (words, kind, status, sector, province,
commune, OCOP, operating in practice), and places the same organisations the search finds:
the counts are the search service's (`/v1/search/communes`), each match once at the commune it
lies in today. The table's rows are the map's groups, commune by commune.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from hoptac.portal.adapters.backends import NotFound, Rejected, Unavailable
from hoptac.portal.adapters.outlines import load_outlines
from hoptac.portal.domain import map_layout
from hoptac.portal.domain.search_form import SearchForm, parse_search_form
from hoptac.portal.entrypoints.http.dependencies import BackendsDep, PagesDep

router = APIRouter(include_in_schema=False)


@router.get("/map")
async def map_page(request: Request, pages: PagesDep, backends: BackendsDep) -> Response:
    given, problems = parse_search_form(request.query_params.multi_items())
    form = SearchForm(given.q, given.filters)  # a map has no order and no pages
    context: dict[str, Any] = {
        "form": form,
        "problems": problems,
        "total": None,
        "groups": [],
        "rows": [],
        "elsewhere": 0,
        "unavailable": False,
        "width": map_layout.WIDTH,
        "height": map_layout.HEIGHT,
        "outlines": load_outlines(request.app.state.settings.node_modules),
    }
    if problems:
        return pages.render(request, "map.html", context, 422)
    try:
        found = await backends.commune_counts(form.match_params())
    except Rejected:
        return pages.render(request, "map.html", context, 422)
    except (Unavailable, NotFound):
        context["unavailable"] = True
        return pages.render(request, "map.html", context, 503)
    centroids = pages.areas.centroids
    counts = {
        code: int(count)
        for code, count in found["communes"].items()
        if code in centroids and int(count) > 0
    }
    context["total"] = int(found["total"])
    context["groups"] = map_layout.groups(counts, centroids)
    context["rows"] = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    context["elsewhere"] = context["total"] - sum(counts.values())  # no certain commune
    context["province_of"] = pages.areas.province_of
    return pages.render(request, "map.html", context)
