"""The import page: the survey template to download, a filled file checked (a dry run, its
problems by row and column) or returned as the workbook with a column of its problems, then
imported: the batch's outcome and the proposals it made. A plain multipart form, so it works
without JavaScript; the file is bounded here before it is forwarded to collection, with the
person's session, which decides what they may import."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.datastructures import UploadFile

from hoptac.portal.adapters.backends import Unavailable
from hoptac.portal.adapters.staff import Refused
from hoptac.portal.adapters.staff_collection import XLSX, StaffCollection
from hoptac.portal.domain.review_form import PROPOSAL_STATES, page_of, read_listing
from hoptac.portal.domain.search_form import Problem
from hoptac.portal.entrypoints.http.rendering import language_of
from hoptac.portal.entrypoints.http.workspace.session import (
    WORKSPACE,
    Staff,
    StaffDep,
    UploadDep,
    go,
    render,
)

router = APIRouter(include_in_schema=False)
IMPORTS = f"{WORKSPACE}/nhap-du-lieu"
KINDS = (".xlsx", ".csv")
ACTIONS = ("check", "workbook", "import")
TEMPLATE_NAME = "mau-khao-sat-hoptac"


def collection_of(request: Request) -> StaffCollection:
    collection: StaffCollection = request.app.state.staff_collection
    return collection


async def imports_view(
    request: Request,
    staff: Staff,
    problems: list[Problem] | None = None,
    refusal: str = "",
    status_code: int = 200,
) -> Response:
    """The upload form and the latest batches (or a notice that collection is away)."""
    context: dict[str, Any] = {"problems": problems or [], "refusal": refusal}
    try:
        context["batches"] = await collection_of(request).batches(staff.session)
    except Unavailable:
        context["collection_unavailable"] = True
    return render(request, "imports.html", context, staff, status_code)


@router.get(IMPORTS)
async def imports_page(request: Request, staff: StaffDep) -> Response:
    return await imports_view(request, staff)


@router.get(f"{IMPORTS}/{TEMPLATE_NAME}.{{kind}}")
async def template(kind: str, request: Request, staff: StaffDep) -> Response:
    if kind not in ("xlsx", "csv"):
        return go(IMPORTS)
    content = await collection_of(request).template(kind)
    media = XLSX if kind == "xlsx" else "text/csv; charset=utf-8"
    return _download(content, media, f"{TEMPLATE_NAME}.{kind}")


def _download(content: bytes, media_type: str, filename: str) -> Response:
    return Response(
        content,
        media_type=media_type,
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",
        },
    )


async def _file_of(form: Any, limit: int) -> tuple[str, bytes, list[Problem]]:
    """The uploaded file's name and bytes, or the problems that keep it from being sent."""
    upload = form.get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        return "", b"", [Problem("file", "error.import_file_required")]
    name = upload.filename[-200:]
    if not name.lower().endswith(KINDS):
        return name, b"", [Problem("file", "error.import_file_kind")]
    content = await upload.read(limit + 1)
    if len(content) > limit:
        return name, b"", [Problem("file", "error.import_file_too_large")]
    if not content:
        return name, b"", [Problem("file", "error.import_file_required")]
    return name, content, []


@router.post(IMPORTS)
async def upload(request: Request, staff: StaffDep, form: UploadDep) -> Response:
    action = str(form.get("action") or "check")
    if action not in ACTIONS:
        action = "check"
    limit: int = request.app.state.settings.import_max_bytes
    name, content, problems = await _file_of(form, limit)
    if problems:
        return await imports_view(request, staff, problems, status_code=422)
    collection, language = collection_of(request), language_of(request)
    try:
        if action == "workbook":
            annotated = await collection.annotated(staff.session, name, content, language)
            return _download(annotated, XLSX, "bao-cao-kiem-tra.xlsx")
        report = await collection.check(staff.session, name, content, action == "check", language)
    except Refused as refused:
        return await imports_view(
            request, staff, refusal=refused.message, status_code=refused.status
        )
    except Unavailable:
        return await imports_view(request, staff, status_code=503)
    if action == "import":
        done = "?da-nhap=1" if not report.get("already_imported") else "?da-co=1"
        return go(f"{IMPORTS}/{report['batch_id']}{done}")
    context = {"report": report, "filename": name}
    return render(request, "import_report.html", context, staff)


async def batch_view(
    request: Request,
    staff: Staff,
    batch_id: UUID,
    review: dict[str, Any] | None = None,
    status_code: int = 200,
) -> Response:
    """An import's outcome and a page of its proposals (in the state the page's query asks
    for), with the review's forms; `review` says what a step of the review came to
    (review.py)."""
    collection = collection_of(request)
    listing = read_listing(request.query_params)
    try:
        batch = await collection.batch(staff.session, batch_id, language_of(request))
        found = await collection.proposals_of(staff.session, batch_id, listing.asked())
        waiting = staff.reviews and await _any_waiting(collection, staff, batch_id, found)
    except Unavailable:
        return await imports_view(request, staff, status_code=503)
    context = {
        "batch": batch,
        "listing": listing,
        "page": page_of(found, listing),
        "waiting": waiting,
        "states": PROPOSAL_STATES,
        "imported": "da-nhap" in request.query_params,
        "already": "da-co" in request.query_params,
        "review": review or {},
    }
    return render(request, "import_batch.html", context, staff, status_code)


async def _any_waiting(
    collection: StaffCollection, staff: Staff, batch_id: UUID, shown: list[dict[str, Any]]
) -> bool:
    """Whether any proposal of the import waits for review: one the page shows, or else the
    first collection finds (a page of another state, or past the waiting ones, hides them)."""
    if any(proposal["state"] == "submitted" for proposal in shown):
        return True
    asked = {"state": "submitted", "limit": "1"}
    return bool(await collection.proposals_of(staff.session, batch_id, asked))


@router.get(f"{IMPORTS}/{{batch_id}}")
async def batch_page(batch_id: UUID, request: Request, staff: StaffDep) -> Response:
    submitted = request.query_params.get("da-gui", "")
    review = {"submitted": int(submitted)} if submitted.isdigit() and len(submitted) < 7 else {}
    return await batch_view(request, staff, batch_id, review)


@router.get(f"{IMPORTS}/{{batch_id}}/bao-cao.xlsx")
async def batch_workbook(batch_id: UUID, request: Request, staff: StaffDep) -> Response:
    try:
        workbook = await collection_of(request).batch_workbook(
            staff.session, batch_id, language_of(request)
        )
    except Unavailable:
        return await imports_view(request, staff, status_code=503)
    return _download(workbook, XLSX, f"bao-cao-{batch_id}.xlsx")
