"""GET /v1/quality: data-quality scores kept from the registry's events, of a province's
records (JSON or CSV), of one record, and the month's XLSX report of a province; for a past
month, as they were stored when it ended."""

from __future__ import annotations

import asyncio
import csv
import io
from datetime import date, datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import APIRouter, Query
from fastapi.responses import Response
from pydantic import AfterValidator

from hoptac.collection.adapters.quality_workbook import quality_workbook
from hoptac.collection.domain.campaigns import vietnam_day
from hoptac.collection.domain.months import checked_month, month_of, stored_month
from hoptac.collection.domain.quality import DIMENSIONS
from hoptac.collection.entrypoints.http.auth import CallerDep, Service
from hoptac.collection.handlers import Collection
from hoptac.collection.quality import area_quality, months_stored, record_quality

router = APIRouter(prefix="/v1/quality", tags=["data quality"])
COLUMNS = ("id", "name", "commune_code", *DIMENSIONS, "score", "band", "lapsed")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
Province = Annotated[str, Query(pattern=r"^\d{2}$", description="A current province code")]
Month = Annotated[
    str | None,
    AfterValidator(checked_month),
    Query(
        max_length=40,
        description="A month ended, `YYYY-MM`: the figures stored when it ended; default (or "
        "the current month): now.",
        examples=["2026-11"],
    ),
]
MONTH_NOT_STORED: dict[int | str, dict[str, Any]] = {
    404: {"description": "No report was stored for that month"}
}


def _month(service: Collection, asked: str | None) -> date | None:
    return stored_month(asked, vietnam_day(service.clock()))


@router.get(
    "",
    summary="Each record's quality (six dimensions, score, band, lapsed), the means per commune "
    "and for the province",
    response_model=None,
    responses={200: {"content": {"text/csv": {}}}, **MONTH_NOT_STORED},
)
async def quality_of_province(
    caller: CallerDep,
    service: Service,
    province: Province,
    month: Month = None,
    format: Annotated[Literal["json", "csv"], Query()] = "json",
) -> dict[str, Any] | Response:
    found = await area_quality(service.engine, caller, province, _month(service, month))
    if format == "json":
        return found
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, COLUMNS, extrasaction="ignore")
    writer.writeheader()
    writer.writerows(found["items"])
    return Response(
        "\ufeff" + buffer.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="chat-luong-{province}.csv"'},
    )


@router.get(
    "/report.xlsx",
    summary="The data-quality report of a province for the month (XLSX, Vietnamese headers, "
    "bands coloured): now, or as it was when a past month ended",
    response_class=Response,
    responses={200: {"content": {XLSX: {}}}, **MONTH_NOT_STORED},
)
async def monthly_report(
    caller: CallerDep, service: Service, province: Province, month: Month = None
) -> Response:
    stored = _month(service, month)
    found = await area_quality(service.engine, caller, province, stored)
    if found["taken_at"] is not None:
        made_on = vietnam_day(datetime.fromisoformat(found["taken_at"]))
    else:
        made_on = vietnam_day(service.clock())
    reported = stored or month_of(made_on)
    name = f"chat-luong-{province}-{reported:%Y-%m}.xlsx"
    return Response(
        await asyncio.to_thread(quality_workbook, found, reported, made_on, stored is not None),
        media_type=XLSX,
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.get("/months", summary="The months whose report is stored, newest first")
async def stored_months(caller: CallerDep, service: Service) -> dict[str, Any]:
    return {"items": await months_stored(service.engine, caller)}


@router.get("/records/{organization_id}", summary="One record's quality")
async def quality_of_record(
    organization_id: UUID, caller: CallerDep, service: Service
) -> dict[str, Any]:
    return await record_quality(service.engine, caller, organization_id)
