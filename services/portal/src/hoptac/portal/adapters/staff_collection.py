"""The collection service as a signed-in person uses it, for "my area": the proposals waiting for
review, the public challenges still open, and the records whose data quality is low. Every call
carries the person's session, so collection shows only what their role and area allow.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx

from hoptac.portal.adapters.backends import Unavailable

PART = "collection"
SHOWN = 20
LOW_BANDS = ("red", "orange")  # score ≤ 95 %


@dataclass(frozen=True)
class StaffCollection:
    http: httpx.AsyncClient

    async def _get(self, session: str, path: str, params: dict[str, str]) -> Any:
        try:
            response = await self.http.get(
                path, params=params, headers={"Authorization": f"Bearer {session}"}
            )
        except httpx.HTTPError as error:
            raise Unavailable(PART, type(error).__name__) from error
        if response.status_code != 200:
            raise Unavailable(PART, f"HTTP {response.status_code}")
        return response.json()

    async def waiting_for_review(self, session: str) -> list[dict[str, Any]]:
        found = await self._get(
            session, "/v1/proposals", {"state": "submitted", "limit": str(SHOWN)}
        )
        return list(found)

    async def open_challenges(self, session: str) -> list[dict[str, Any]]:
        found = await self._get(session, "/v1/challenges", {"open": "true", "limit": str(SHOWN)})
        return list(found)

    async def low_quality(self, session: str, province: str) -> list[dict[str, Any]]:
        found = await self._get(session, "/v1/quality", {"province": province})
        return [item for item in found.get("items", []) if item.get("band") in LOW_BANDS][:SHOWN]

    async def close(self) -> None:
        await self.http.aclose()
