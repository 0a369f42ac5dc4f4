"""Routes of /v1/imports: the survey template, and uploads checked (dry run) or imported."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, File, Query, UploadFile
from fastapi.responses import Response

from hoptac.collection.entrypoints.http.auth import CallerDep, Service, WriteRoute
from hoptac.collection.entrypoints.http.schemas import ImportAnswer

router = APIRouter(prefix="/v1/imports", tags=["imports"], route_class=WriteRoute)
UPLOAD_PATH = "/v1/imports"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TEMPLATE_NAME = "mau-khao-sat-hoptac"


@router.get(
    "/template.xlsx",
    summary="The survey template as a workbook (drop-downs, instructions, its version)",
    response_class=Response,
    responses={200: {"content": {XLSX: {}}}},
)
async def template_xlsx(service: Service) -> Response:
    return Response(
        await service.template("xlsx"),
        media_type=XLSX,
        headers={"Content-Disposition": f'attachment; filename="{TEMPLATE_NAME}.xlsx"'},
    )


@router.get(
    "/template.csv",
    summary="The survey template as CSV: one header row of JSON paths",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}}},
)
async def template_csv(service: Service) -> Response:
    return Response(
        await service.template("csv"),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{TEMPLATE_NAME}.csv"'},
    )


@router.post(
    "",
    summary="Check a filled template (dry_run) or import it: every valid row a proposal",
    responses={200: {"model": ImportAnswer}},
)
async def upload(
    caller: CallerDep,
    service: Service,
    file: Annotated[UploadFile, File(description="The filled template, .xlsx or .csv")],
    dry_run: Annotated[bool, Query(description="Check only; nothing is kept")] = False,
) -> dict[str, Any]:
    data = await file.read()
    return await service.import_file(caller, data, file.filename or "upload", dry_run)


@router.get(
    "/{batch_id}",
    summary="An import batch and its report",
    responses={200: {"model": ImportAnswer}},
)
async def batch(batch_id: UUID, caller: CallerDep, service: Service) -> dict[str, Any]:
    return await service.batch(caller, batch_id)


@router.get(
    "/{batch_id}/file",
    summary="The file an import batch was made from, as uploaded",
    response_class=Response,
    responses={200: {"content": {"application/octet-stream": {}}}},
)
async def batch_file(batch_id: UUID, caller: CallerDep, service: Service) -> Response:
    filename, content = await service.batch_file(caller, batch_id)
    safe = "".join(ch for ch in filename if ch.isascii() and (ch.isalnum() or ch in "._-"))
    return Response(
        content,
        media_type="application/octet-stream",
        headers={"Content-Disposition": f'attachment; filename="{safe or "import"}"'},
    )
