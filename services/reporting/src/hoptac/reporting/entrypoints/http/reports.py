"""Standard reports: the provincial summary and trends, as JSON, CSV, XLSX and PNG charts."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from hoptac.platform.text import Text, TextError
from hoptac.reporting.domain.stats import InvalidQuery, Problem
from hoptac.reporting.entrypoints.http.answers import SummaryAnswer, TrendsAnswer
from hoptac.reporting.entrypoints.http.downloads import (
    PNG,
    json_response,
    summary_chart,
    summary_download,
    table_formats,
    trends_chart,
    trends_download,
)
from hoptac.reporting.entrypoints.http.params import (
    AsOf,
    Filters,
    Format,
    reporting_of,
    stats_query,
)

router = APIRouter(prefix="/v1/reports", tags=["reports"])

FormatParam = Annotated[Format, Query(description="json (default), csv or xlsx")]
Unit = Annotated[Literal["month", "year"], Query(description="month or year")]
Start = Annotated[
    date | None,
    Query(alias="from", description="First day of the first period; default 5 years back."),
]


@router.get(
    "/summary",
    summary="The provincial collective-economy summary",
    response_model=None,
    responses=table_formats(SummaryAnswer),
)
async def summary(
    request: Request, given: Filters, as_of: AsOf = None, format: FormatParam = "json"
) -> dict[str, Any] | Response:
    """Totals; operating and stopped (every status but operating); by status, kind, sector
    (agriculture against non-agriculture); members; workers; OCOP products by stars;
    digital-adoption rates among operating organisations."""
    reporting = reporting_of(request)
    answer = await reporting.reader.summary(stats_query(reporting, as_of, None, given))
    return json_response(answer) if format == "json" else summary_download(answer, format)


@router.get(
    "/summary/chart.png",
    summary="Chart: organisations by sector, operating and stopped",
    response_class=Response,
    responses=PNG,
)
async def summary_png(request: Request, given: Filters, as_of: AsOf = None) -> Response:
    reporting = reporting_of(request)
    return summary_chart(await reporting.reader.summary(stats_query(reporting, as_of, None, given)))


async def _trends(
    request: Request, given: dict[str, str | None], unit: str, start: date | None, end: date | None
) -> dict[str, Any]:
    reporting = reporting_of(request)
    query = stats_query(reporting, end, None, given)
    first = start or date(query.as_of.year - 5, 1, 1)
    try:
        return await reporting.reader.trends(query, unit, first)
    except ValueError as error:
        problem = error.text if isinstance(error, TextError) else Text("validation.invalid")
        raise InvalidQuery([Problem("from", problem)]) from error


@router.get(
    "/trends",
    summary="By month or year: organisations, operating, stopped, new",
    response_model=None,
    responses=table_formats(TrendsAnswer),
)
async def trends(
    request: Request,
    given: Filters,
    unit: Unit = "year",
    start: Start = None,
    to: AsOf = None,
    format: FormatParam = "json",
) -> dict[str, Any] | Response:
    """Each period's figures are those of its last day (or of `to`, for the last period)."""
    answer = await _trends(request, given, unit, start, to)
    return json_response(answer) if format == "json" else trends_download(answer, format)


@router.get(
    "/trends/chart.png",
    summary="Chart: organisations by month or year",
    response_class=Response,
    responses=PNG,
)
async def trends_png(
    request: Request, given: Filters, unit: Unit = "year", start: Start = None, to: AsOf = None
) -> Response:
    return trends_chart(await _trends(request, given, unit, start, to))
