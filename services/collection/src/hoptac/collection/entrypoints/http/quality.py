"""GET /v1/quality: data-quality scores kept from the registry's events, of a province's
records (JSON or CSV), of one record, and the month's XLSX report of a province."""

from __future__ import annotations

import asyncio
import csv
import io
from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import APIRouter, Query
from fastapi.responses import Response

from hoptac.collection.adapters.quality_workbook import quality_workbook
from hoptac.collection.domain.campaigns import vietnam_day
from hoptac.collection.domain.quality import DIMENSIONS
from hoptac.collection.entrypoints.http.auth import CallerDep, Service
from hoptac.collection.quality import area_quality, record_quality

router = APIRouter(prefix="/v1/quality", tags=["data quality"])
COLUMNS = ("id", "name", "commune_code", *DIMENSIONS, "score", "band", "lapsed")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
Province = Annotated[str, Query(pattern=r"^\d{2}$", description="A current province code")]


@router.get(
    "",
    summary="Each record's quality (six dimensions, score, band, lapsed), the means per commune "
    "and for the province",
    response_model=None,
    responses={200: {"content": {"text/csv": {}}}},
)
async def quality_of_province(
    caller: CallerDep,
    service: Service,
    province: Province,
    format: Annotated[Literal["json", "csv"], Query()] = "json",
) -> dict[str, Any] | Response:
    found = await area_quality(service.engine, caller, province)
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
    summary="The month's data-quality report of a province (XLSX, Vietnamese headers, bands "
    "coloured)",
    response_class=Response,
    responses={200: {"content": {XLSX: {}}}},
)
async def monthly_report(caller: CallerDep, service: Service, province: Province) -> Response:
    found = await area_quality(service.engine, caller, province)
    today = vietnam_day(service.clock())
    name = f"chat-luong-{province}-{today:%Y-%m}.xlsx"
    return Response(
        await asyncio.to_thread(quality_workbook, found, today.replace(day=1), today),
        media_type=XLSX,
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.get("/records/{organization_id}", summary="One record's quality")
async def quality_of_record(
    organization_id: UUID, caller: CallerDep, service: Service
) -> dict[str, Any]:
    return await record_quality(service.engine, caller, organization_id)
