"""GET /v1/stats: organisations, members, workers and charter capital, grouped and filtered."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from hoptac.reporting.entrypoints.http.answers import StatsAnswer
from hoptac.reporting.entrypoints.http.downloads import json_response, stats_download, table_formats
from hoptac.reporting.entrypoints.http.params import (
    AsOf,
    Filters,
    Format,
    GroupBy,
    reporting_of,
    stats_query,
)

router = APIRouter(prefix="/v1", tags=["statistics"])


@router.get(
    "/stats",
    summary="Counts as of a date, grouped by any of kind, status, sector, area",
    response_model=None,
    responses=table_formats(StatsAnswer),
)
async def stats(
    request: Request,
    given: Filters,
    as_of: AsOf = None,
    group_by: GroupBy = None,
    format: Annotated[Format, Query(description="json (default), csv or xlsx")] = "json",
) -> dict[str, Any] | Response:
    """Every organisation registered on or before `as_of`, in the status, area and sector it
    had that day; dissolved ones stay, under their own status. An organisation whose current
    commune (or old district) is not certain is counted at the level that is, in a row whose
    key is null with `counted_at`, and a note says so."""
    reporting = reporting_of(request)
    query = stats_query(reporting, as_of, group_by, given)
    answer = await reporting.reader.stats(query)
    return json_response(answer) if format == "json" else stats_download(answer, format)
