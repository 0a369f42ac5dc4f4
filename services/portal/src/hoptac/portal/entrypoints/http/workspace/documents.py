"""The policy library in the workspace: reviewers and admins add a document and correct one
(metadata, relations, its file), and record which of its articles the register's rules rest
on. The form is checked here first (messages beside each field, a summary at the top); the
library checks again with the person's session and decides.

A form with a file is multipart and larger than any other, so it posts to one of two fixed
paths (`NEW`, `CORRECT`), the only ones the portal's body limit lets reach
`library_upload_max_bytes`. The person's role is checked before the body is read."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.datastructures import FormData, UploadFile

from hoptac.contracts.codes import Kind, SectorGroup
from hoptac.contracts.library import DocumentStatus, DocumentType, Topic
from hoptac.portal.adapters.backends import Unavailable
from hoptac.portal.adapters.staff import Refused, Versioned
from hoptac.portal.adapters.staff_library import StaffLibrary
from hoptac.portal.domain.document_form import (
    MAX_REASON,
    METADATA,
    DocumentForm,
    control,
    corrections,
    parse_document_form,
    shown,
)
from hoptac.portal.domain.provisions_form import control as rule_control
from hoptac.portal.domain.provisions_form import parse_provisions, refused_problems
from hoptac.portal.domain.search_form import Problem
from hoptac.portal.entrypoints.http.errors import not_found_page
from hoptac.portal.entrypoints.http.library import library_of
from hoptac.portal.entrypoints.http.workspace.forms import area_names, provinces, today
from hoptac.portal.entrypoints.http.workspace.session import (
    MAX_FIELD_BYTES,
    MAX_FORM_FIELDS,
    WORKSPACE,
    FormDep,
    Staff,
    StaffDep,
    go,
    render,
    token_checked,
)

router = APIRouter(include_in_schema=False)
DOCUMENTS = f"{WORKSPACE}/thu-vien"
NEW = f"{DOCUMENTS}/moi"
CORRECT = f"{DOCUMENTS}/sua"
PROVISIONS = f"{DOCUMENTS}/can-cu"
MAX_FILE_NAME = 255
# The library's answers to a file, as problems beside the file control.
FILE_REFUSALS = {
    409: "error.doc_file_duplicate",
    413: "error.doc_file_too_large",
    422: "error.doc_file_refused",
}


def _library(request: Request) -> StaffLibrary:
    library: StaffLibrary = request.app.state.staff_library
    return library


def document_url(document_id: UUID | str) -> str:
    return f"{DOCUMENTS}/{document_id}"


def _saved(request: Request, document_id: UUID | str) -> Response:
    """The library changed: public pages ask it again (not what they kept), and staff see the
    document saved."""
    library_of(request).forget()
    return go(document_url(document_id) + "?da-luu=1")


def _refused(request: Request, staff: Staff) -> Response | None:
    """Only reviewers and admins edit the library (the library refuses anyone else too)."""
    if staff.reviews:
        return None
    return render(request, "refused.html", {"message": ""}, staff, 403)


def _form_page(
    request: Request,
    staff: Staff,
    form: DocumentForm,
    problems: list[Problem],
    document: Versioned | None,
    status_code: int = 200,
    **extra: Any,
) -> Response:
    context = {
        "values": form.values,
        "entered": {control(name): value for name, value in form.values.items()},
        "chosen": form.chosen,
        "problems": problems,
        "document": document.body if document else None,
        "version": document.version if document else None,
        "creating": document is None,
        "saved": request.query_params.get("da-luu") == "1",
        "types": tuple(DocumentType),
        "statuses": tuple(DocumentStatus),
        "kinds": tuple(Kind),
        "sectors": tuple(SectorGroup),
        "topics": tuple(Topic),
        "provinces": provinces(area_names(request)),
        **extra,
    }
    return render(request, "document_form.html", context, staff, status_code)


@asynccontextmanager
async def _upload_form(request: Request) -> AsyncIterator[FormData]:
    """The posted form with at most one file, bounded, once its token matches; its file (kept
    in a temporary file past 1 MiB) closed afterwards."""
    form = await request.form(
        max_files=1, max_fields=MAX_FORM_FIELDS, max_part_size=MAX_FIELD_BYTES
    )
    try:
        yield token_checked(request, form)
    finally:
        await form.close()


def _parsed(request: Request, form: FormData) -> DocumentForm:
    fields = [(k, v) for k, v in form.multi_items() if isinstance(v, str)]
    return parse_document_form(fields, area_names(request).provinces, today(request))


def _file_of(form: FormData) -> UploadFile | None:
    sent = form.get(control("file"))
    return sent if isinstance(sent, UploadFile) and sent.filename else None


async def _attach(
    request: Request, staff: Staff, document_id: UUID, upload: UploadFile
) -> list[Problem]:
    """The file sent to the library; the problem beside the file control when refused."""
    name = (upload.filename or "").replace("\\", "/").rsplit("/", 1)[-1][:MAX_FILE_NAME] or "file"
    content = await upload.read()
    try:
        await _library(request).attach(staff.session, document_id, name, content)
    except Refused as refused:
        if refused.status not in FILE_REFUSALS:
            raise
        return [Problem(control("file"), FILE_REFUSALS[refused.status])]
    return []


def _library_problems(refused: Refused) -> list[Problem]:
    """The library's refusal of the metadata beside the fields it names."""
    if refused.status == 409:
        return [Problem(control("number"), "error.doc_number_taken")]
    problems = []
    for path, _message in refused.fields:
        parts = [part for part in path.split(".") if part != "body"]  # body.amends.0 → amends
        name = parts[0] if parts and parts[0] in METADATA else "number"
        problems.append(Problem(control(name), "error.library_refused"))
    return problems or [Problem(control("number"), "error.library_refused")]


@router.get(DOCUMENTS)
async def documents_page(request: Request, staff: StaffDep) -> Response:
    refused = _refused(request, staff)
    if refused:
        return refused
    documents = await _library(request).documents()
    return render(request, "documents.html", {"documents": documents}, staff)


@router.get(NEW)
async def new_document(request: Request, staff: StaffDep) -> Response:
    return _refused(request, staff) or _form_page(
        request, staff, shown({"status": "in_force"}), [], None
    )


@router.post(NEW)
async def add_document(request: Request, staff: StaffDep) -> Response:
    refused = _refused(request, staff)
    if refused:
        return refused
    async with _upload_form(request) as form:
        return await _add(request, staff, form)


async def _add(request: Request, staff: Staff, form: FormData) -> Response:
    parsed = _parsed(request, form)
    if parsed.problems:
        return _form_page(request, staff, parsed, parsed.problems, None, 422)
    library = _library(request)
    try:
        document_id = await library.add(staff.session, parsed.body)
    except Refused as refusal:
        if refusal.status == 403:
            return render(request, "refused.html", {"message": refusal.message}, staff, 403)
        return _form_page(request, staff, parsed, _library_problems(refusal), None, 422)
    library_of(request).forget()  # the document is in the library from now on
    upload = _file_of(form)
    problems = await _attach(request, staff, UUID(document_id), upload) if upload else []
    if problems:  # the document is kept: its form, to send the file again
        document = await library.document(UUID(document_id))
        return _form_page(
            request, staff, shown(document.body), problems, document, 422, file_refused=True
        )
    return _saved(request, document_id)


async def _provisions(request: Request, document_id: UUID) -> dict[str, Any]:
    """The rules citing the document with the article recorded for each, and its articles to
    choose from; `rules` None when the library cannot list the registry's rules just now."""
    library = _library(request)
    try:
        rules: list[dict[str, Any]] | None = await library.rules(document_id)
    except Unavailable:
        rules = None
    return {"rules": rules, "articles": await library.articles(document_id)}


@router.get(f"{DOCUMENTS}/{{document_id}}")
async def document_form(document_id: UUID, request: Request, staff: StaffDep) -> Response:
    refused = _refused(request, staff)
    if refused:
        return refused
    document = await _library(request).document(document_id)
    provisions = await _provisions(request, document_id)
    return _form_page(request, staff, shown(document.body), [], document, **provisions)


@router.post(PROVISIONS)
async def record_provisions(request: Request, staff: StaffDep, form: FormDep) -> Response:
    """The article each rule citing the document rests on, as chosen: the whole set."""
    refused = _refused(request, staff)
    if refused:
        return refused
    try:
        document_id = UUID(str(form.get("id") or "")[:36])
    except ValueError:
        return not_found_page(request)
    library = _library(request)
    current = await library.document(document_id)
    offered = await _provisions(request, document_id)
    if offered["rules"] is None:  # without the rules, a choice cannot be checked: none is sent
        return _form_page(request, staff, shown(current.body), [], current, 503, **offered)
    rules = [rule["rule"] for rule in offered["rules"]]
    anchors = [article["anchor"] for article in offered["articles"]]
    posted = [(k, v) for k, v in form.multi_items() if isinstance(v, str)]
    chosen, problems = parse_provisions(posted, rules, anchors)
    if not problems and rules and str(form.get("version") or "") != str(current.version):
        problems = [Problem(rule_control(rules[0]), "error.doc_changed_meanwhile")]
    if not problems:
        try:
            await library.record_provisions(staff.session, document_id, chosen, current.version)
            return _saved(request, document_id)
        except Refused as refusal:
            if refusal.status == 403:
                return render(request, "refused.html", {"message": refusal.message}, staff, 403)
            problems = _provision_problems(refusal, chosen, rules)
    as_chosen = {p["rule"]: p["article"] for p in chosen}
    offered["rules"] = [
        {**rule, "article": as_chosen.get(rule["rule"])} for rule in offered["rules"]
    ]
    return _form_page(request, staff, shown(current.body), problems, current, 422, **offered)


def _provision_problems(
    refusal: Refused, chosen: list[dict[str, str]], rules: list[str]
) -> list[Problem]:
    """The library's refusal beside the choices it names, or beside the first."""
    if refusal.status != 412:
        problems = refused_problems(refusal.fields, chosen)
        if problems:
            return problems
    key = "error.doc_changed_meanwhile" if refusal.status == 412 else "error.provision_refused"
    return [Problem(rule_control(rules[0]), key)] if rules else []


@router.post(CORRECT)
async def correct_document(request: Request, staff: StaffDep) -> Response:
    refused = _refused(request, staff)
    if refused:
        return refused
    async with _upload_form(request) as form:
        return await _correct(request, staff, form)


async def _correct(request: Request, staff: Staff, form: FormData) -> Response:
    try:
        document_id = UUID(str(form.get("id") or "")[:36])
    except ValueError:
        return not_found_page(request)
    library = _library(request)
    current = await library.document(document_id)
    parsed = _parsed(request, form)
    if parsed.problems:
        return _form_page(request, staff, parsed, parsed.problems, current, 422)
    if str(form.get("version") or "") != str(current.version):
        problems = [Problem(control("number"), "error.doc_changed_meanwhile")]
        return _form_page(request, staff, shown(current.body), problems, current, 409)
    changes = corrections(parsed.body, current.body)
    reason = " ".join(str(form.get("reason") or "").split())[:MAX_REASON]
    if changes and reason:
        changes["reason"] = reason  # kept in the document's history
    try:
        if changes:
            await library.correct(staff.session, document_id, changes, current.version)
    except Refused as refusal:
        if refusal.status == 403:
            return render(request, "refused.html", {"message": refusal.message}, staff, 403)
        if refusal.status == 412:
            fresh = await library.document(document_id)
            problems = [Problem(control("number"), "error.doc_changed_meanwhile")]
            return _form_page(request, staff, shown(fresh.body), problems, fresh, 409)
        return _form_page(request, staff, parsed, _library_problems(refusal), current, 422)
    upload = _file_of(form)
    problems = await _attach(request, staff, document_id, upload) if upload else []
    if problems:
        document = await library.document(document_id)
        return _form_page(
            request, staff, shown(document.body), problems, document, 422, file_refused=True
        )
    return _saved(request, document_id)
