"""Integration events of the policy library: documents added, corrected, given a file, and the
articles staff record as the basis of the register's rules.

Stream `LIBRARY_DOC_V1`, subjects `library.v1.document.<event>`. Like the organisation events,
each carries the whole public record after the change (event-carried state) and what changed;
`document_version` orders the changes of one document, so readers drop duplicates and stale
events by it. A breaking change is a new `schema_version` and a new stream.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import Field, TypeAdapter

from hoptac.contracts.codes import Kind, SectorGroup
from hoptac.contracts.events import FieldChange
from hoptac.contracts.organization import ContractModel

LIBRARY_SCHEMA_VERSION: Literal[1] = 1
LIBRARY_STREAM = "LIBRARY_DOC_V1"
LIBRARY_SUBJECT_PREFIX = "library.v1.document"
# Extracted text travels in the event so that the search index needs no call back; a law runs
# to about 200,000 characters, and this keeps a body well under NATS's 1 MiB max_payload.
MAX_EVENT_TEXT_CHARS = 300_000


class DocumentType(StrEnum):
    LAW = "law"
    DECREE = "decree"
    CIRCULAR = "circular"
    DIRECTIVE = "directive"
    DECISION = "decision"
    PLAN = "plan"
    GUIDANCE = "guidance"


class DocumentStatus(StrEnum):
    IN_FORCE = "in_force"
    PARTLY_AMENDED = "partly_amended"
    REPLACED = "replaced"
    EXPIRED = "expired"
    NOT_YET_IN_FORCE = "not_yet_in_force"


class Topic(StrEnum):
    ORGANISATION = "organisation"
    SUPPORT = "support"
    CREDIT = "credit"
    LAND = "land"
    TAX = "tax"
    TRAINING = "training"
    DIGITAL_TRANSFORMATION = "digital_transformation"
    OCOP = "ocop"
    STATISTICS = "statistics"


class TextStatus(StrEnum):
    """What became of the text of a document's file."""

    NO_FILE = "no_file"
    EXTRACTED = "extracted"
    NOT_EXTRACTED = "not_extracted"  # encrypted, scanned or unreadable: the file is still kept


class DocumentEventName(StrEnum):
    """The `<event>` part of subject `library.v1.document.<event>`."""

    ADDED = "added"
    CORRECTED = "corrected"
    FILE_ATTACHED = "file_attached"
    PROVISIONS_RECORDED = "provisions_recorded"

    @property
    def event_type(self) -> str:
        return f"document.{self.value}"


Number = Annotated[str, Field(min_length=3, max_length=60, examples=["17/2023/QH15"])]


class DocumentFile(ContractModel):
    name: str = Field(max_length=255, examples=["luat-htx-2023.pdf"])
    media_type: Literal[
        "application/pdf",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ]
    size_bytes: Annotated[int, Field(ge=1)]
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    text_status: TextStatus


class Provision(ContractModel):
    """Staff's word that an article (or annex) of this document is the basis of a rule the
    register applies."""

    rule: str = Field(
        pattern=r"^(status|field)\.[a-z_]+(\.[a-z_]+)*$",
        max_length=80,
        description="The rule's code in the registry's GET /v1/reference/legal-basis: "
        "`status.<status>` (entering that status) or `field.<field>` (a required field).",
        examples=["status.suspended"],
    )
    article: str = Field(
        pattern=r"^(dieu-[0-9]{1,4}[a-z]?|phu-luc(-[0-9a-z]+)*)$",
        max_length=60,
        description="The article's anchor on the document's page: `dieu-12`, `phu-luc-ii-8`.",
        examples=["dieu-12"],
    )


class DocumentRecord(ContractModel):
    """A document's public metadata."""

    id: UUID
    version: Annotated[int, Field(ge=1)]
    number: Number = Field(description="Number and symbol as printed, e.g. 92/2024/NĐ-CP.")
    title: str = Field(max_length=500)
    type: DocumentType
    issuer: str = Field(max_length=200, examples=["Quốc hội"])
    signed_on: date | None = Field(default=None, description="Null until staff enter it.")
    in_force_from: date | None = None
    status: DocumentStatus
    amends: list[Number] = Field(default_factory=list, description="Numbers it amends.")
    replaces: list[Number] = Field(default_factory=list, description="Numbers it replaces.")
    kinds: list[Kind] = Field(default_factory=list, description="Kinds it applies to.")
    sectors: list[SectorGroup] = Field(default_factory=list, description="Sectors; empty: all.")
    topics: list[Topic] = Field(default_factory=list)
    area: str = Field(pattern=r"^(national|\d{2})$", description="`national` or a province code.")
    summary: str = Field(default="", max_length=4000)
    file: DocumentFile | None = None
    provisions: list[Provision] = Field(
        default_factory=list,
        max_length=100,
        description="Which of its articles the register's rules rest on, as staff recorded.",
    )
    updated_at: datetime


class DocumentChangeData(ContractModel):
    record: DocumentRecord
    changed_fields: list[FieldChange]
    text: str = Field(
        default="",
        description="The text extracted from the file, cut at MAX_EVENT_TEXT_CHARS characters.",
    )
    reason: str | None = None


class DocumentEnvelope(ContractModel):
    event_id: UUID = Field(description="Unique per event; also the Nats-Msg-Id.")
    event_type: str = Field(examples=["document.added"])
    schema_version: Literal[1] = LIBRARY_SCHEMA_VERSION
    recorded_at: datetime = Field(description="When the library committed it.")
    sequence: Annotated[int, Field(ge=1)] = Field(
        description="Position in the library's change log, increasing in commit order."
    )
    document_id: UUID
    document_version: Annotated[int, Field(ge=1)]
    actor: str = Field(description="Who made the change, as a stable pseudonym (`token:<id>`).")
    data: DocumentChangeData


class DocumentAdded(DocumentEnvelope):
    """A document entered in the library."""

    event_type: Literal["document.added"] = "document.added"


class DocumentCorrected(DocumentEnvelope):
    """A document's metadata corrected (status, relations, tags, summary…)."""

    event_type: Literal["document.corrected"] = "document.corrected"


class DocumentFileAttached(DocumentEnvelope):
    """A file attached to a document, with its text when it could be extracted."""

    event_type: Literal["document.file_attached"] = "document.file_attached"


class DocumentProvisionsRecorded(DocumentEnvelope):
    """Staff recorded which of the document's articles the register's rules rest on."""

    event_type: Literal["document.provisions_recorded"] = "document.provisions_recorded"


LIBRARY_EVENT_MODELS: dict[DocumentEventName, type[DocumentEnvelope]] = {
    DocumentEventName.ADDED: DocumentAdded,
    DocumentEventName.CORRECTED: DocumentCorrected,
    DocumentEventName.FILE_ATTACHED: DocumentFileAttached,
    DocumentEventName.PROVISIONS_RECORDED: DocumentProvisionsRecorded,
}

DocumentEvent = Annotated[
    DocumentAdded | DocumentCorrected | DocumentFileAttached | DocumentProvisionsRecorded,
    Field(discriminator="event_type"),
]
_adapter: TypeAdapter[DocumentEnvelope] = TypeAdapter(DocumentEvent)


def document_subject(event: DocumentEventName) -> str:
    return f"{LIBRARY_SUBJECT_PREFIX}.{event.value}"


def parse_document_event(raw: bytes | str | Mapping[str, Any]) -> DocumentEnvelope:
    """The typed event of a message body or a decoded envelope. Raises ValidationError."""
    event: DocumentEnvelope = (
        _adapter.validate_python(raw) if isinstance(raw, Mapping) else _adapter.validate_json(raw)
    )
    return event
