"""The statistics page: one view at a time as a table and a chart, the summary beside it, and
the same figures as files. Every figure is the reporting service's, shown as it answered."""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from hoptac.contracts.codes import Kind
from hoptac.portal.adapters.backends import NotFound, Rejected, Unavailable
from hoptac.portal.domain.charts import bar_chart
from hoptac.portal.domain.search_form import Problem
from hoptac.portal.domain.statistics_form import StatisticsForm, parse_statistics_form
from hoptac.portal.entrypoints.http.dependencies import BackendsDep, PagesDep
from hoptac.portal.entrypoints.http.files import MEDIA_TYPES
from hoptac.portal.entrypoints.http.rendering import Pages, language_of

router = APIRouter(include_in_schema=False)

FIGURES = "figures"  # the id of the part htmx swaps when the view changes
CHART_ROWS = 30  # the largest; the table below the chart has every row
AREA_VIEWS = frozenset({"province", "commune", "legacy_district"})


@router.get("/statistics")
async def statistics(request: Request, pages: PagesDep, backends: BackendsDep) -> Response:
    today = request.app.state.today()
    form, problems = parse_statistics_form(request.query_params.multi_items(), today)
    context: dict[str, Any] = {
        "form": form,
        "problems": problems,
        "views": form.views(today),
        "stats": None,
        "indicators": {},
        "summary": None,
        "chart": None,
        "unavailable": False,
        "kinds": tuple(Kind),
        "province_names": sorted(pages.areas.provinces.items(), key=lambda item: item[1]),
    }
    if problems:
        return pages.render(request, "statistics.html", context, 422, fragment=FIGURES)
    try:
        stats, context["summary"], context["indicators"] = await asyncio.gather(
            backends.stats(form.backend_params()),
            backends.summary(form.filter_params()),
            backends.indicators(),
        )
    except Rejected as rejected:
        context["problems"] = [Problem(f.removeprefix("query."), "error.stats_rejected")
                               for f in rejected.fields]  # fmt: skip
        return pages.render(request, "statistics.html", context, 422, fragment=FIGURES)
    except (Unavailable, NotFound):
        context["unavailable"] = True
        return pages.render(request, "statistics.html", context, 503, fragment=FIGURES)
    context["stats"] = stats
    context["chart"] = _chart(pages, request, form, stats)
    context["row_label"] = lambda row: row_label(pages, request, form.view, row)
    return pages.render(request, "statistics.html", context, fragment=FIGURES)


@router.get("/statistics.{extension}")
async def statistics_file(
    extension: str, request: Request, pages: PagesDep, backends: BackendsDep
) -> Response:
    """The view's figures as the reporting service writes them (CSV or XLSX), or its summary
    chart (PNG): the same numbers as the page, from the same query."""
    today = request.app.state.today()
    form, problems = parse_statistics_form(request.query_params.multi_items(), today)
    if extension not in (*MEDIA_TYPES, "png") or problems:
        return await statistics(request, pages, backends)
    try:
        if extension == "png":
            answer = await backends.summary_chart(form.filter_params())
            media_type = "image/png"
        else:
            answer = await backends.stats_file(form.backend_params(), extension)
            media_type = MEDIA_TYPES[extension]
    except (Unavailable, NotFound, Rejected):
        return await statistics(request, pages, backends)
    filename = f"hoptac-thong-ke-{form.view}.{extension}"
    return Response(
        answer.content,
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def row_label(pages: Pages, request: Request, view: str, row: dict[str, Any]) -> str:
    helpers = pages.helpers(language_of(request))
    code = row.get(view)
    if code is None:
        return str(helpers["_"]("stats.unknown_area"))
    if view in AREA_VIEWS:
        return str(helpers["area"](view, code) or code)
    return str(helpers["label"](view, code))


def _chart(pages: Pages, request: Request, form: StatisticsForm, stats: dict[str, Any]) -> Any:
    number = pages.helpers(language_of(request))["number"]
    rows = [
        (row_label(pages, request, form.view, row), int(row["organizations"]),
         number(row["organizations"]))
        for row in sorted(stats["rows"], key=lambda r: -int(r["organizations"]))
    ]  # fmt: skip
    return bar_chart(rows[:CHART_ROWS])
