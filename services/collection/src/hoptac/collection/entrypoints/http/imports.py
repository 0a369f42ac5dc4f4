"""Routes of /v1/imports: the survey template, and uploads checked (dry run) or imported."""

from __future__ import annotations

from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import APIRouter, File, Query, Request, UploadFile
from fastapi.responses import Response

from hoptac.collection.entrypoints.http.auth import CallerDep, Service, WriteRoute
from hoptac.collection.entrypoints.http.schemas import BatchSubmitted, BatchSummary, ImportAnswer
from hoptac.platform.catalogue import Language, negotiate

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
    return _workbook(await service.template("xlsx"), TEMPLATE_NAME)


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
    response_model=None,
    responses={200: {"model": ImportAnswer, "content": {XLSX: {}}}},
)
async def upload(
    request: Request,
    caller: CallerDep,
    service: Service,
    file: Annotated[UploadFile, File(description="The filled template, .xlsx or .csv")],
    dry_run: Annotated[bool, Query(description="Check only; nothing is kept")] = False,
    report: Annotated[
        Literal["json", "xlsx"],
        Query(description="xlsx: the uploaded file back, with a column of its problems"),
    ] = "json",
) -> dict[str, Any] | Response:
    data = await file.read()
    answer = await service.import_file(
        caller, data, file.filename or "upload", dry_run, report_language(request)
    )
    if report == "xlsx":
        return _workbook(service.annotated(data, answer["problems"]), "bao-cao-nhap")
    return answer


@router.get(
    "",
    summary="The latest import batches: an area officer's own, everyone's for a reviewer",
    responses={200: {"model": list[BatchSummary]}},
)
async def batches(
    caller: CallerDep,
    service: Service,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> list[dict[str, Any]]:
    return await service.batches(caller, limit)


@router.get(
    "/{batch_id}/report.xlsx",
    summary="An import batch's file with a column of its problems",
    response_class=Response,
    responses={200: {"content": {XLSX: {}}}},
)
async def batch_report(
    request: Request, batch_id: UUID, caller: CallerDep, service: Service
) -> Response:
    workbook = await service.report_workbook(caller, batch_id, report_language(request))
    return _workbook(workbook, f"bao-cao-{batch_id}")


def report_language(request: Request) -> Language:
    """An import's report is for the officers who fill the survey: in Vietnamese, unless the
    request asks for a language (`Accept-Language: en`)."""
    asked = request.headers.get("accept-language")
    return negotiate(asked) if asked else "vi"


def _workbook(content: bytes, name: str) -> Response:
    return Response(
        content,
        media_type=XLSX,
        headers={"Content-Disposition": f'attachment; filename="{name}.xlsx"'},
    )


@router.get(
    "/{batch_id}",
    summary="An import batch and its report",
    responses={200: {"model": ImportAnswer}},
)
async def batch(
    request: Request, batch_id: UUID, caller: CallerDep, service: Service
) -> dict[str, Any]:
    return await service.batch(caller, batch_id, report_language(request))


@router.post(
    "/{batch_id}/submit",
    summary="Put every draft of an import (of your area) forward for review at once",
    responses={
        200: {"model": BatchSubmitted},
        404: {"description": "No import batch with that id"},
    },
)
async def submit_batch(batch_id: UUID, caller: CallerDep, service: Service) -> dict[str, Any]:
    return await service.submit_batch(caller, batch_id)


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
