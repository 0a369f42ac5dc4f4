"""The map page: organisations at their communes' centroids, grouped where dense, drawn by the
server as SVG; the same counts as a table by commune, which is the whole page without pictures
(and with JavaScript off, the same page).

The counts are the reporting service's (`/v1/stats?group_by=commune`, current communes), so the
map agrees with the statistics page; it takes the search page's kind, status, sector and
province filters.
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

# The search filters the statistics take, under the statistics' names.
MAP_FILTERS = {"kind": "kind", "status": "status", "sector": "sector_group", "province": "province"}


@router.get("/map")
async def map_page(request: Request, pages: PagesDep, backends: BackendsDep) -> Response:
    given, problems = parse_search_form(request.query_params.multi_items())
    form = SearchForm(filters={k: v for k, v in given.filters.items() if k in MAP_FILTERS})
    context: dict[str, Any] = {
        "form": form,
        "problems": problems,
        "map_filters": MAP_FILTERS,
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
        stats = await backends.stats(_stats_params(form))
    except Rejected:
        return pages.render(request, "map.html", context, 422)
    except (Unavailable, NotFound):
        context["unavailable"] = True
        return pages.render(request, "map.html", context, 503)
    centroids = pages.areas.centroids
    counts = {
        row["commune"]: int(row["organizations"])
        for row in stats["rows"]
        if row.get("commune") in centroids and int(row["organizations"]) > 0
    }
    context["total"] = int(stats["totals"]["organizations"])
    context["groups"] = map_layout.groups(counts, centroids)
    context["rows"] = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    context["elsewhere"] = context["total"] - sum(counts.values())  # no certain commune
    context["province_of"] = pages.areas.province_of
    return pages.render(request, "map.html", context)


def _stats_params(form: SearchForm) -> list[tuple[str, str]]:
    params = [("group_by", "commune")]
    for name, values in form.filters.items():
        params.append((MAP_FILTERS[name], ",".join(values)))
    return params
