"""Routes of /v1/documents: public reads; writes for reviewers and admins, audited."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote
from uuid import UUID

from fastapi import APIRouter, Header, Query, Request, Response

from hoptac.contracts.codes import Kind, SectorGroup
from hoptac.library.domain.applicability import applies_to
from hoptac.library.domain.numbers import number_key
from hoptac.library.entrypoints.http.auth import CallerDep, WriteRoute
from hoptac.library.entrypoints.http.schemas import (
    DocumentIn,
    DocumentList,
    DocumentPatch,
    DocumentView,
)
from hoptac.library.handlers import Library, Upload

router = APIRouter(prefix="/v1/documents", tags=["documents"], route_class=WriteRoute)

FileName = Annotated[
    str,
    Query(
        min_length=1,
        max_length=255,
        pattern=r"^[^\x00-\x1f/\\]+$",
        description="The file's name, kept for downloads; its type is judged from its bytes.",
    ),
]


# A write's If-Match: the version the writer last saw, quoted or not.
IfMatch = Annotated[str, Header(pattern=r'^"?\d{1,9}"?$')]


def library_of(request: Request) -> Library:
    library: Library = request.app.state.library
    return library


def expected_version(if_match: str) -> int:
    return int(if_match.strip('"'))


@router.post("", status_code=201, summary="Add a document (reviewer or admin)")
async def add(request: Request, body: DocumentIn, caller: CallerDep) -> dict[str, Any]:
    return await library_of(request).add(caller, body.metadata(), body.reason)


@router.get("", summary="Every document, newest signed first", response_model=DocumentList)
async def list_documents(
    request: Request,
    applies_to_kind: Annotated[
        Kind | None,
        Query(description="Only those in force that apply to an organisation of this kind…"),
    ] = None,
    applies_to_sector: Annotated[SectorGroup | None, Query(description="…this sector…")] = None,
    applies_to_province: Annotated[
        str | None, Query(pattern=r"^\d{2}$", description="…and in this province.")
    ] = None,
    number: Annotated[
        str | None,
        Query(
            min_length=1,
            max_length=60,
            description="Only the document of this number and symbol (case and spaces aside), "
            "as other services cite it: `17/2023/QH15`.",
        ),
    ] = None,
) -> dict[str, Any]:
    documents = await library_of(request).documents()
    if number is not None:
        documents = [d for d in documents if number_key(d["number"]) == number_key(number)]
    if applies_to_kind is not None:
        documents = [
            d
            for d in documents
            if applies_to(d, applies_to_kind, applies_to_sector, applies_to_province)
        ]
    return {"items": documents}


@router.get("/{document_id}", summary="A document with its relations", response_model=DocumentView)
async def get(request: Request, document_id: UUID, response: Response) -> dict[str, Any]:
    record = await library_of(request).get(document_id)
    response.headers["ETag"] = f'"{record["version"]}"'
    return record


@router.patch("/{document_id}", summary="Correct a document (needs If-Match: its version)")
async def correct(
    request: Request,
    document_id: UUID,
    body: DocumentPatch,
    caller: CallerDep,
    if_match: IfMatch,
) -> dict[str, Any]:
    version = expected_version(if_match)
    return await library_of(request).correct(
        caller, document_id, version, body.changes(), body.reason
    )


@router.put(
    "/{document_id}/file",
    summary="Attach the document's file (PDF or DOCX, the request body itself)",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/octet-stream": {"schema": {"type": "string", "format": "binary"}}
            },
        }
    },
)
async def attach_file(
    request: Request, document_id: UUID, name: FileName, caller: CallerDep
) -> dict[str, Any]:
    content = await request.body()
    return await library_of(request).attach_file(caller, document_id, Upload(name, content))


@router.get(
    "/{document_id}/file",
    summary="The document's file",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}, "application/octet-stream": {}}}},
)
async def download(request: Request, document_id: UUID) -> Response:
    file, content = await library_of(request).file(document_id)
    return Response(
        content,
        media_type=file["media_type"],
        headers={
            "Content-Disposition": f"attachment; filename*=UTF-8''{quote(file['name'])}",
            "Digest": f"sha-256={file['sha256']}",
        },
    )


@router.get("/{document_id}/history", summary="Every change, by whom (reviewer or admin)")
async def history(request: Request, document_id: UUID, caller: CallerDep) -> dict[str, Any]:
    return {"items": await library_of(request).history(caller, document_id)}


changes_router = APIRouter(prefix="/v1/changes", tags=["change log"])


@changes_router.get("", summary="The library's change log: every event after a sequence")
async def changes(
    request: Request,
    after: Annotated[int, Query(ge=0, le=2**62)] = 0,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,  # events carry their text
) -> dict[str, Any]:
    events = await library_of(request).changes(after, limit)
    return {"events": events, "next": events[-1]["sequence"] if events else after}
