"""The shapes of the registry's answers, for /openapi.json. Routes answer with plain JSON (a
record may carry restricted fields for those allowed to see them), so these document and are
checked by schemathesis; they do not filter."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from hoptac.contracts.events import OrganizationEvent
from hoptac.contracts.organization import LegalRepresentative, OrganizationRecord


class RepresentativeView(LegalRepresentative):
    id_number: str | None = Field(default=None, description="Restricted: within your area.")
    phone: str | None = Field(default=None, description="Restricted: within your area.")


class Warning(BaseModel):
    code: str = Field(
        examples=[
            "similar_name",
            "legacy_commune_disagrees",
            "legacy_commune_split",
            "suspension_overdue",
        ]
    )
    message: str
    similar: list[dict[str, Any]] | None = None
    candidates: list[dict[str, str]] | None = Field(
        default=None, description="legacy_commune_split: the communes to choose from."
    )


class OrganizationView(OrganizationRecord):
    legal_representative: RepresentativeView | None = None
    warnings: list[Warning] | None = Field(
        default=None, description="What a person should look at although the write is valid."
    )


class OrganizationPage(BaseModel):
    items: list[OrganizationView]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page.")


class FieldChangeView(BaseModel):
    field: str
    before: Any = None
    after: Any = None


class HistoryEntry(BaseModel):
    version: int
    event_type: str
    effective_date: str
    recorded_at: str
    actor: str | None = Field(description="The writer's name; only for tokens.")
    source: str | None
    reason: str | None
    changes: list[FieldChangeView]


class History(BaseModel):
    organization_id: str
    versions: list[HistoryEntry]


class ChangesPage(BaseModel):
    events: list[OrganizationEvent]
    next: int = Field(description="Pass as `after` for the next page.")


class ChangesHead(BaseModel):
    head: int = Field(
        description="The newest change committed (0: none). The same head read twice: nothing "
        "was committed in between (but a write open at the first reading)."
    )


class CorrelatedChange(BaseModel):
    correlation_id: str
    organization_id: str
    organization_version: int
    event_type: str


class CorrelatedChanges(BaseModel):
    changes: list[CorrelatedChange]
    complete: bool = Field(description="False when more changes matched than one answer holds.")


class Whoami(BaseModel):
    name: str
    role: str
    provinces: list[str]
    communes: list[str]
    expires_at: str | None


class AccountView(BaseModel):
    username: str
    display_name: str
    role: str
    provinces: list[str]
    communes: list[str]
    disabled: bool


class AccountList(BaseModel):
    accounts: list[AccountView]


class SessionView(BaseModel):
    session: str = Field(description="Send as Authorization: Bearer <session>; shown once.")
    expires_at: str
    account: AccountView


def documented(model: type[BaseModel], status: int = 200) -> dict[int | str, dict[str, Any]]:
    return {status: {"model": model}}


# What a write may answer besides the errors every route shares.
WRITE_ERRORS: dict[int | str, dict[str, Any]] = {
    409: {"description": "The law or the register forbids it (transition, duplicate number)"},
    410: {"description": "The record was removed as entered by mistake"},
    412: {"description": "If-Match names a version that is no longer the current one"},
    428: {"description": "If-Match is missing"},
}


class BatchResult(BaseModel):
    index: int = Field(description="The row's position in `changes`, from 0.")
    status: int = Field(description="What the single-record route would have answered.")
    id: str | None = None
    version: int | None = None
    warnings: list[Warning] | None = None
    error: dict[str, Any] | None = Field(
        default=None, description="The error body the single-record route would have answered."
    )


class BatchAnswer(BaseModel):
    results: list[BatchResult]
    applied: int = Field(description="Rows applied (in a dry run: rows that would be).")
    refused: int
    dry_run: bool
