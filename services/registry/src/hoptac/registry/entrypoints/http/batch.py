"""POST /v1/organizations/batch: many registrations, updates and status changes in one request.

Each row is read, authorised and validated exactly as its single-record route does it, then
applied with its event as if the rows were applied one after the other (they are checked and
stored set-based: `hoptac.registry.batches`); each is answered in its place with the status and
body that route would have given (the fields of `body` named as that route names them, the row's
own fields as `op`, `id`, `version`). A bad row never blocks the others and is never half applied.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from fastapi import APIRouter, Request
from pydantic import BaseModel, ValidationError

from hoptac.platform.catalogue import Language
from hoptac.platform.collections_put_off import full_collections_put_off
from hoptac.platform.error_answers import FieldText, error_body, language_of
from hoptac.platform.http import invalid_message, validation_fields
from hoptac.platform.text import Quantity, Text
from hoptac.registry.adapters.repository import WriteContext
from hoptac.registry.batches import Applied, Registration, apply_batch
from hoptac.registry.domain.access import Principal
from hoptac.registry.domain.errors import DomainError, FieldProblem, InvalidFields
from hoptac.registry.entrypoints.http.answers import BatchAnswer, documented
from hoptac.registry.entrypoints.http.auth import Caller, WriteRoute
from hoptac.registry.entrypoints.http.organizations import (
    registration_record,
    registry_of,
    status_request,
    update_request,
    write_context,
)
from hoptac.registry.entrypoints.http.problems import problem
from hoptac.registry.entrypoints.http.schemas import (
    BatchRequest,
    BatchRow,
    OrganizationCreate,
    OrganizationPatch,
    StatusChange,
)
from hoptac.registry.handlers import Modification, Registry

PATH = "/v1/organizations/batch"
router = APIRouter(tags=["organizations"], route_class=WriteRoute)

BODY_OF: dict[str, type[BaseModel]] = {
    "register": OrganizationCreate,
    "update": OrganizationPatch,
    "status": StatusChange,
}


class RowRefused(Exception):
    """A row that cannot even be read: the fields at fault, answered in its place (422)."""

    def __init__(self, fields: list[FieldText]) -> None:
        super().__init__(fields)
        self.fields = fields

    def body(self, language: Language) -> dict[str, Any]:
        return error_body(language, "invalid_request", invalid_message(self.fields), self.fields)


def _validated(model: type[BaseModel], value: Any) -> Any:
    try:
        return model.model_validate(value)
    except ValidationError as error:
        raise RowRefused(validation_fields(error.errors())) from None


def read_row(
    value: Any, registry: Registry, caller: Principal, context: WriteContext
) -> Registration | Modification:
    """The change one row asks for, as its single-record route makes it of its request."""
    row: BatchRow = _validated(BatchRow, value)
    body = _validated(BODY_OF[row.op], row.body)
    if row.correlation_id:
        context = replace(context, correlation_id=row.correlation_id)
    if row.op == "register":
        if row.id is not None or row.version is not None:
            raise RowRefused([FieldText("id", Text("registry.batch_registration_id"))])
        return Registration(registration_record(body), caller, context)
    if row.id is None or (row.op == "update" and row.version is None):
        missing = "id" if row.id is None else "version"
        raise RowRefused([FieldText(missing, Text("validation.missing"))])
    if row.op == "update":
        return update_request(registry, row.id, body, row.version, caller, context)
    return status_request(registry, row.id, body, row.version, caller, context)


def _applied(index: int, op: str, applied: Applied) -> dict[str, Any]:
    result: dict[str, Any] = {
        "index": index,
        "status": 201 if op == "register" else 200,
        "id": str(applied.id),
        "version": applied.version,
    }
    if applied.warnings:
        result["warnings"] = applied.warnings
    return result


def _refused(index: int, status: int, body: dict[str, Any]) -> dict[str, Any]:
    return {"index": index, "status": status, "error": body}


@router.post(
    PATH,
    summary="Apply many changes; each row answered in its place",
    responses=documented(BatchAnswer),
)
async def batch(body: BatchRequest, request: Request, caller: Caller) -> dict[str, Any]:
    with full_collections_put_off():  # a thousand rows' objects, freed when the answer is made
        return await _batch(body, request, caller)


async def _batch(body: BatchRequest, request: Request, caller: Caller) -> dict[str, Any]:
    limit: int = request.app.state.batch_max_rows
    if len(body.changes) > limit:
        too_many = Text(
            "registry.batch_too_many", rows=Quantity(len(body.changes)), limit=Quantity(limit)
        )
        raise InvalidFields([FieldProblem("changes", too_many)])
    registry = registry_of(request)
    context = write_context(request, caller)
    language = language_of(request)
    results: dict[int, dict[str, Any]] = {}
    runnable: list[tuple[int, str, Registration | Modification]] = []
    for index, value in enumerate(body.changes):
        try:
            row = read_row(value, registry, caller, context)
        except RowRefused as refused:
            results[index] = _refused(index, 422, refused.body(language))
        except DomainError as error:
            results[index] = _refused(index, *problem(error, language))
        else:
            runnable.append((index, value["op"], row))
    rows = [row for _, _, row in runnable]
    outcomes = await apply_batch(registry, rows, body.dry_run, body.similar_names)
    for (index, op, _), outcome in zip(runnable, outcomes, strict=True):
        if isinstance(outcome, DomainError):
            results[index] = _refused(index, *problem(outcome, language))
        else:
            results[index] = _applied(index, op, outcome)
    answered = [results[index] for index in range(len(body.changes))]
    applied = sum(1 for result in answered if "error" not in result)
    return {
        "results": answered,
        "applied": applied,
        "refused": len(answered) - applied,
        "dry_run": body.dry_run,
    }
