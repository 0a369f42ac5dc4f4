"""Request bodies of the library's API: strict (an unknown field is a 422) and bounded."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from hoptac.contracts.codes import Kind, SectorGroup
from hoptac.contracts.library import (
    DocumentRecord,
    DocumentStatus,
    DocumentType,
    Provision,
    Topic,
)

STRICT = ConfigDict(extra="forbid")
Number = Annotated[str, Field(min_length=3, max_length=60, examples=["17/2023/QH15"])]
Reason = Annotated[str, Field(min_length=1, max_length=500)]


class DocumentIn(BaseModel):
    model_config = STRICT

    number: Number
    title: str = Field(min_length=1, max_length=500, examples=["Luật Hợp tác xã"])
    type: DocumentType
    issuer: str = Field(min_length=1, max_length=200, examples=["Quốc hội"])
    signed_on: date | None = None
    in_force_from: date | None = None
    status: DocumentStatus
    amends: list[Number] = Field(default_factory=list, max_length=50)
    replaces: list[Number] = Field(default_factory=list, max_length=50)
    kinds: list[Kind] = Field(default_factory=list, max_length=10)
    sectors: list[SectorGroup] = Field(default_factory=list, max_length=20)
    topics: list[Topic] = Field(default_factory=list, max_length=20)
    area: str = Field(default="national", pattern=r"^(national|\d{2})$")
    summary: str = Field(default="", max_length=4000)
    reason: Reason | None = None

    def metadata(self) -> dict[str, Any]:
        return self.model_dump(mode="json", exclude={"reason"})


class DocumentPatch(BaseModel):
    """Only the fields given change."""

    model_config = STRICT

    number: Number | None = None
    title: str | None = Field(default=None, min_length=1, max_length=500)
    type: DocumentType | None = None
    issuer: str | None = Field(default=None, min_length=1, max_length=200)
    signed_on: date | None = None
    in_force_from: date | None = None
    status: DocumentStatus | None = None
    amends: list[Number] | None = Field(default=None, max_length=50)
    replaces: list[Number] | None = Field(default=None, max_length=50)
    kinds: list[Kind] | None = Field(default=None, max_length=10)
    sectors: list[SectorGroup] | None = Field(default=None, max_length=20)
    topics: list[Topic] | None = Field(default=None, max_length=20)
    area: str | None = Field(default=None, pattern=r"^(national|\d{2})$")
    summary: str | None = Field(default=None, max_length=4000)
    reason: Reason | None = None

    def changes(self) -> dict[str, Any]:
        given = self.model_dump(mode="json", exclude={"reason"}, exclude_unset=True)
        # Only in_force_from can be emptied; null elsewhere leaves the field as it is.
        return {k: v for k, v in given.items() if v is not None or k == "in_force_from"}


class Link(BaseModel):
    number: str
    id: str | None = Field(description="Null when the document is not in the library.")
    title: str | None


class DocumentView(DocumentRecord):
    amends_links: list[Link] = Field(default_factory=list)
    replaces_links: list[Link] = Field(default_factory=list)
    amended_by: list[Link] = Field(default_factory=list)
    replaced_by: list[Link] = Field(default_factory=list)


class DocumentList(BaseModel):
    items: list[DocumentRecord]


class ProvisionsIn(BaseModel):
    """The whole set: a rule left out has no article recorded any more."""

    model_config = STRICT

    provisions: list[Provision] = Field(max_length=100)
    reason: Reason | None = None

    def chosen(self) -> list[dict[str, Any]]:
        return [p.model_dump() for p in self.provisions]


class ArticleView(BaseModel):
    kind: Literal["article", "annex"]
    number: str = Field(description="`12`; an annex's `II-8`, or empty for one without.")
    anchor: str = Field(description="Its fragment on the document's page: `dieu-12`.")
    label: str = Field(description="As the document prints it: `Điều 12`, `Phụ lục II-8`.")
    heading: str


class ArticleText(ArticleView):
    part: str = Field(description="The chapter or section heading that begins with it.")
    text: str


class ArticleList(BaseModel):
    items: list[ArticleText]


class RuleArticle(BaseModel):
    rule: str = Field(examples=["status.suspended"])
    article: str | None = Field(description="The anchor recorded; null: none yet.")


class RuleList(BaseModel):
    items: list[RuleArticle]


class CitedArticle(BaseModel):
    rule: str = Field(examples=["status.suspended"])
    document_id: UUID
    number: str = Field(description="The document's number and symbol.")
    article: ArticleView | None = Field(
        description="Null when the document's text (a file attached since) no longer has it."
    )


class CitedList(BaseModel):
    items: list[CitedArticle]
