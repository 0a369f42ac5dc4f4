"""Request bodies and answer shapes of the collection API, for validation and /openapi.json."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, StringConstraints


class ProblemView(BaseModel):
    row: int | None = Field(default=None, description="As the spreadsheet numbers it; header 1.")
    column: str | None = Field(default=None, description="The spreadsheet's letter.")
    field: str | None = Field(default=None, description="The field's JSON path.")
    code: str
    message: str = Field(
        description="In Vietnamese, or in English when the request asks (Accept-Language: en)."
    )


class ImportAnswer(BaseModel):
    valid: bool = Field(description="No problem at all.")
    rows_total: int
    rows_valid: int
    rows_refused: int
    problems: list[ProblemView]
    warnings: list[ProblemView] = Field(
        default=[], description="For a person to look at; they block no row."
    )
    converted_from: str | None = Field(
        default=None,
        description="The legacy encoding (TCVN3 or VNI) the file's text was converted from; "
        "each converted cell is a `converted_encoding` warning.",
    )
    dry_run: bool | None = None
    batch_id: str | None = None
    proposals_added: int | None = None
    already_imported: bool | None = Field(
        default=None, description="The same file was imported before: nothing changed."
    )
    checked_by_dry_run: bool | None = Field(
        default=None,
        description="An import that took the check of the same person's dry run of the same "
        "file, made today while the register did not move, instead of checking it again.",
    )


class BatchSummary(BaseModel):
    batch_id: str
    filename: str
    uploaded_by: str
    uploaded_at: str
    valid: bool = Field(description="The file had no problem at all.")
    rows_total: int
    rows_valid: int
    rows_refused: int


class BatchSubmitted(BaseModel):
    batch_id: str
    submitted: int = Field(description="Drafts of the import put forward now.")
    ids: list[str] = Field(description="Their ids, for the reviewer's approval.")


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ProposalIds(Body):
    ids: list[UUID] = Field(min_length=1, max_length=1000)


Comment = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]
FieldPath = Annotated[str, StringConstraints(pattern=r"^[a-z_0-9.]{1,100}$")]


class Return(Body):
    comments: dict[FieldPath, Comment] = Field(
        min_length=1, max_length=100, description="A comment per field (JSON path), or `_`."
    )


class ProposalView(BaseModel):
    id: str
    batch_id: str | None
    row: int | None
    organization_id: str | None
    base_version: int | None
    province_code: str | None
    commune_code: str | None
    change: dict[str, Any]
    state: str = Field(
        description="draft, submitted, returned, applying, applied, partly_applied or refused"
    )
    stale: bool = Field(description="The record changed since: compare, then rebase.")
    author: str
    submitted_by: str | None
    reviewed_by: str | None
    comments: list[dict[str, Any]]
    outcome: dict[str, Any] | None
    history: list[dict[str, Any]] | None = None
