"""The policy library's pages: the library with its facets, a document, and its file."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from hoptac.portal.adapters.backends import NotFound, Rejected, Unavailable
from hoptac.portal.adapters.library import LibraryBackends
from hoptac.portal.domain.legal_links import Citations, with_articles
from hoptac.portal.domain.library_form import FACET_ORDER, MAX_QUERY_CHARS, LibraryForm
from hoptac.portal.domain.record_form import field_named
from hoptac.portal.entrypoints.http.dependencies import PagesDep, backends_of
from hoptac.portal.entrypoints.http.errors import not_found_page

router = APIRouter(include_in_schema=False)
MAX_NUMBER_CHARS = 60  # as the library bounds a number


def library_of(request: Request) -> LibraryBackends:
    library: LibraryBackends = request.app.state.library
    return library


@router.get("/library")
async def library_page(request: Request, pages: PagesDep) -> Response:
    form = LibraryForm.parse(request.query_params.multi_items())
    context: dict[str, Any] = {
        "form": form,
        "facet_order": FACET_ORDER,
        "max_query_chars": MAX_QUERY_CHARS,
        "answer": None,
        "unavailable": False,
    }
    try:
        context["answer"] = await library_of(request).search_documents(
            [*form.params(), ("limit", "100")]
        )
    except (Unavailable, Rejected):
        context["unavailable"] = True
    return pages.render(request, "library.html", context, 200, fragment="results")


@router.get("/library/so/{number:path}")
async def document_by_number(number: str, request: Request, pages: PagesDep) -> Response:
    """A document by the number and symbol others cite it by (`/library/so/17/2023/QH15`): the
    registry's rules link their legal basis this way (`#dieu-12` after it: the browser keeps the
    fragment through the redirect)."""
    try:
        document_id = await library_of(request).id_of_number(number[:MAX_NUMBER_CHARS])
    except (NotFound, Rejected):
        return not_found_page(request)
    except Unavailable:
        return pages.render(request, "unavailable.html", {"part": "library"}, 503)
    return RedirectResponse(f"/library/{document_id}", status_code=302)


@router.get("/library/{document_id}")
async def document_page(document_id: str, request: Request, pages: PagesDep) -> Response:
    try:
        uuid = UUID(document_id)
        document = await library_of(request).document(uuid)
        articles = await library_of(request).articles(uuid)
    except (ValueError, NotFound):
        return not_found_page(request)
    except Unavailable:
        return pages.render(request, "unavailable.html", {"part": "library"}, 503)
    context = {"document": document, "articles": articles}
    return pages.render(request, "library_document.html", context)


@router.get("/library/{document_id}/file")
async def document_file(document_id: str, request: Request) -> Response:
    """The file through the portal itself: a page never sends the browser to another host."""
    try:
        answer = await library_of(request).file(UUID(document_id))
    except (ValueError, NotFound):
        return not_found_page(request)
    except Unavailable:
        return Response(status_code=503, headers={"Retry-After": "5"})
    return Response(
        answer.content,
        media_type=answer.headers.get("content-type", "application/octet-stream"),
        headers={
            "Content-Disposition": answer.headers.get("content-disposition", "attachment"),
            "X-Content-Type-Options": "nosniff",
        },
    )


async def documents_applying(
    request: Request, record: dict[str, Any]
) -> list[dict[str, Any]] | None:
    """For an organisation's profile: the documents in force for its kind, sector and province;
    None when the library cannot be asked (the profile shows the rest)."""
    address = record.get("address") or {}
    sector = (record.get("sector") or {}).get("group")
    try:
        return await library_of(request).applying_to(
            record["kind"], sector, address.get("province_code")
        )
    except (Unavailable, Rejected, NotFound):
        return None


async def linked_basis(request: Request, basis: Citations) -> Citations:
    """Each citation of a rule's basis with the article staff recorded for it in the library;
    the documents alone when the library cannot be asked."""
    if not basis:
        return basis
    try:
        provisions = await library_of(request).provisions()
    except (Unavailable, Rejected, NotFound):
        return basis
    return with_articles(basis, provisions)


async def required_fields_basis(request: Request) -> Citations:
    """Per record form control of a field the law requires, the documents requiring it, linked
    as `linked_basis` links them; none when the registry does not answer."""
    by_path = await (await backends_of(request)).field_basis()
    by_control = {field_named(tuple(path.split("."))): cited for path, cited in by_path.items()}
    return await linked_basis(request, {name: c for name, c in by_control.items() if name})
