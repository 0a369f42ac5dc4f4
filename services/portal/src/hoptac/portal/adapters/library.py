"""The policy library's backends: the search service's document index (the library page and
its facets) and the library service itself (a document, its relations, its file, and the
documents that apply to an organisation).

What every profile asks (the documents applying to its kind, sector and province; the articles
recorded for the register's rules) changes seldom and is the same for many organisations, so it
is kept a while (`kept`); the workspace forgets it when staff change the library through it."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from hoptac.portal.adapters.backends import Backend, NotFound
from hoptac.portal.adapters.http_transport import Answer, Params
from hoptac.portal.adapters.recent_answers import RecentAnswers


class LibraryBackends:
    def __init__(self, search: Backend, library: Backend, kept: RecentAnswers) -> None:
        self.search = search
        self.library = library
        self.kept = kept

    def forget(self) -> None:
        """The library changed: the next profiles ask it again."""
        self.kept.clear()

    async def search_documents(self, params: Params) -> dict[str, Any]:
        answer: dict[str, Any] = await self.search.get_json("/v1/documents/search", params)
        return answer

    async def document(self, document_id: UUID) -> dict[str, Any]:
        record: dict[str, Any] = await self.library.get_json(f"/v1/documents/{document_id}")
        return record

    async def articles(self, document_id: UUID) -> list[dict[str, Any]]:
        """Its articles and annexes, split from its file's text; none without a text."""
        answer = await self.library.get_json(f"/v1/documents/{document_id}/articles")
        return list(answer.get("items", []))

    async def provisions(self) -> list[dict[str, Any]]:
        """Every article staff recorded as the basis of a rule of the register."""

        async def fetch() -> list[dict[str, Any]]:
            answer = await self.library.get_json("/v1/provisions")
            return list(answer.get("items", []))

        provisions: list[dict[str, Any]] = await self.kept.answer("provisions", fetch)
        return provisions

    async def id_of_number(self, number: str) -> str:
        """The id of the document of that number and symbol; NotFound when it is not there."""
        answer = await self.library.get_json("/v1/documents", [("number", number)])
        items = answer.get("items", [])
        if not items:
            raise NotFound(number)
        return str(items[0]["id"])

    async def file(self, document_id: UUID) -> Answer:
        return await self.library.get_bytes(f"/v1/documents/{document_id}/file")

    async def applying_to(
        self, kind: str, sector: str | None, province: str | None
    ) -> list[dict[str, Any]]:
        params = [("applies_to_kind", kind)]
        if sector:
            params.append(("applies_to_sector", sector))
        if province:
            params.append(("applies_to_province", province))

        async def fetch() -> list[dict[str, Any]]:
            answer = await self.library.get_json("/v1/documents", params)
            return list(answer.get("items", []))

        key = ("applying", kind, sector, province)
        documents: list[dict[str, Any]] = await self.kept.answer(key, fetch)
        return documents

    async def close(self) -> None:
        await self.kept.close()
        await self.search.close()
        await self.library.close()
