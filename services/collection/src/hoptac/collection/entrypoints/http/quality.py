"""GET /v1/quality: data-quality scores of the records of a province, as JSON or CSV."""

from __future__ import annotations

import csv
import io
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from fastapi.responses import Response

from hoptac.collection.domain.quality import DIMENSIONS
from hoptac.collection.entrypoints.http.auth import CallerDep, Service
from hoptac.collection.quality import province_quality

router = APIRouter(prefix="/v1/quality", tags=["data quality"])
COLUMNS = ("id", "name", "commune_code", *DIMENSIONS, "score", "band")


@router.get(
    "",
    summary="Each record's quality (six dimensions, score, band) and the province's means",
    response_model=None,
    responses={200: {"content": {"text/csv": {}}}},
)
async def quality_of_province(
    caller: CallerDep,
    service: Service,
    province: Annotated[str, Query(pattern=r"^\d{2}$", description="A current province code")],
    format: Annotated[Literal["json", "csv"], Query()] = "json",
) -> dict[str, Any] | Response:
    found = await province_quality(service.registry, caller, province, service.clock())
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
