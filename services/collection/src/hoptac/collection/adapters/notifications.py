"""The notifications service over HTTP: it holds the staff who receive e-mail and sends it;
collection only asks it to remind the staff of an area about a campaign."""

from __future__ import annotations

from typing import Any

import httpx

from hoptac.collection.domain.errors import NotAllowed, Unavailable
from hoptac.platform.text import Text


class NotificationsClient:
    def __init__(
        self, notifications_url: str, transport: httpx.AsyncBaseTransport | None = None
    ) -> None:
        self.http = httpx.AsyncClient(
            base_url=notifications_url.rstrip("/"), timeout=30.0, transport=transport
        )

    async def close(self) -> None:
        await self.http.aclose()

    async def campaign_reminder(self, token: str, reminder: dict[str, Any]) -> dict[str, Any]:
        """Sent with the caller's own token: notifications checks the role itself."""
        try:
            response = await self.http.post(
                "/v1/staff/campaign-reminders",
                json=reminder,
                headers={"Authorization": f"Bearer {token}"},
            )
        except httpx.HTTPError as error:
            raise Unavailable(Text("collection.notifications_unavailable")) from error
        if response.status_code in (401, 403):
            raise NotAllowed(Text("collection.notifications_refused"))
        if response.status_code != 200:
            raise Unavailable(Text("collection.notifications_unavailable"))
        answer: dict[str, Any] = response.json()
        return answer
