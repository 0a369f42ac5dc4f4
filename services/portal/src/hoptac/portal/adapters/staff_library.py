"""The policy library as a signed-in person uses it from the workspace: every write carries
their session, so the library asks the registry who they are and refuses anyone but a reviewer
or an admin, whatever the portal showed; it records them as the writer."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import httpx

from hoptac.portal.adapters.staff import Versioned, staff_call, version_of

PART = "library"


class StaffLibrary:
    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client

    async def documents(self) -> list[dict[str, Any]]:
        answer = await staff_call(self.client, PART, "GET", "/v1/documents", None)
        return list(answer.json().get("items", []))

    async def document(self, document_id: UUID) -> Versioned:
        response = await staff_call(self.client, PART, "GET", f"/v1/documents/{document_id}", None)
        return Versioned(response.json(), version_of(response))

    async def add(self, session: str, metadata: dict[str, Any]) -> str:
        """The new document's id."""
        response = await staff_call(
            self.client, PART, "POST", "/v1/documents", session, json=metadata
        )
        return str(response.json()["id"])

    async def correct(
        self, session: str, document_id: UUID, changes: dict[str, Any], version: int
    ) -> None:
        await staff_call(
            self.client,
            PART,
            "PATCH",
            f"/v1/documents/{document_id}",
            session,
            json=changes,
            headers={"If-Match": f'"{version}"'},
        )

    async def rules(self, document_id: UUID) -> list[dict[str, Any]]:
        """The register's rules that cite the document, each with the article recorded."""
        path = f"/v1/documents/{document_id}/rules"
        response = await staff_call(self.client, PART, "GET", path, None)
        return list(response.json().get("items", []))

    async def articles(self, document_id: UUID) -> list[dict[str, Any]]:
        path = f"/v1/documents/{document_id}/articles"
        response = await staff_call(self.client, PART, "GET", path, None)
        return list(response.json().get("items", []))

    async def record_provisions(
        self, session: str, document_id: UUID, provisions: list[dict[str, str]], version: int
    ) -> None:
        await staff_call(
            self.client,
            PART,
            "PUT",
            f"/v1/documents/{document_id}/provisions",
            session,
            json={"provisions": provisions},
            headers={"If-Match": f'"{version}"'},
        )

    async def attach(self, session: str, document_id: UUID, name: str, content: bytes) -> None:
        await staff_call(
            self.client,
            PART,
            "PUT",
            f"/v1/documents/{document_id}/file",
            session,
            params={"name": name},
            content=content,
            headers={"Content-Type": "application/octet-stream"},
        )

    async def close(self) -> None:
        await self.client.aclose()
