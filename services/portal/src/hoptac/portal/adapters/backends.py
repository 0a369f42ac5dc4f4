"""HTTP clients of the services the portal stands on: search, reporting and the registry.

The portal sends no token: it reads the registry as the public does, so it can never show a
restricted field. A backend that cannot answer raises `Unavailable` naming the part of the site
it serves, so a page can say which part is missing and show the rest.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import httpx

Params = Sequence[tuple[str, str]]
MAX_RECENT = 200  # organisations read to find the most recently changed


class Unavailable(Exception):
    """A backend is down, too slow, or answered with an error the portal cannot explain."""

    def __init__(self, part: str, reason: str) -> None:
        super().__init__(f"{part}: {reason}")
        self.part = part  # "search", "reporting" or "registry"


class NotFound(Exception):
    pass


@dataclass(frozen=True)
class Rejected(Exception):
    """The backend refused the query (422): the portal let through something it should check."""

    part: str
    fields: tuple[str, ...]


class Backend:
    def __init__(self, part: str, base_url: str, timeout: float) -> None:
        self.part = part
        self.client = httpx.AsyncClient(base_url=base_url, timeout=timeout)

    async def get_json(self, path: str, params: Params = ()) -> Any:
        response = await self._get(path, params)
        return response.json()

    async def get_bytes(self, path: str, params: Params = ()) -> httpx.Response:
        return await self._get(path, params)

    async def _get(self, path: str, params: Params) -> httpx.Response:
        try:
            response = await self.client.get(path, params=list(params))
        except httpx.HTTPError as error:
            raise Unavailable(self.part, type(error).__name__) from error
        if response.status_code == 404:
            raise NotFound(path)
        if response.status_code == 422:
            errors = _json_or_empty(response).get("errors", [])
            raise Rejected(self.part, tuple(str(e.get("field", "")) for e in errors))
        if response.status_code != 200:
            raise Unavailable(self.part, f"HTTP {response.status_code}")
        return response

    async def close(self) -> None:
        await self.client.aclose()


def _json_or_empty(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


class Backends:
    def __init__(self, search: Backend, reporting: Backend, registry: Backend) -> None:
        self.search = search
        self.reporting = reporting
        self.registry = registry
        self._indicators: dict[str, dict[str, Any]] | None = None

    # --- search ------------------------------------------------------------------------------

    async def search_page(self, params: Params) -> dict[str, Any]:
        answer: dict[str, Any] = await self.search.get_json("/v1/search", params)
        return answer

    async def suggestions(self, q: str, limit: int = 8) -> list[dict[str, Any]]:
        answer = await self.search.get_json("/v1/suggest", [("q", q), ("limit", str(limit))])
        return list(answer.get("items", []))

    async def every_hit(
        self, params: Params, max_rows: int, page_size: int = 100
    ) -> AsyncIterator[dict[str, Any]]:
        """Every match of a query, page after page, at most `max_rows`."""
        cursor: str | None = None
        sent = 0
        while sent < max_rows:
            page_params = [*params, ("limit", str(page_size))]
            if cursor:
                page_params.append(("cursor", cursor))
            page = await self.search_page(page_params)
            for item in page["items"][: max_rows - sent]:
                yield item
                sent += 1
            cursor = page.get("next_cursor")
            if not cursor:
                return

    # --- reporting ---------------------------------------------------------------------------

    async def stats(self, params: Params) -> dict[str, Any]:
        answer: dict[str, Any] = await self.reporting.get_json("/v1/stats", params)
        return answer

    async def summary(self, params: Params) -> dict[str, Any]:
        answer: dict[str, Any] = await self.reporting.get_json("/v1/reports/summary", params)
        return answer

    async def indicators(self) -> dict[str, dict[str, Any]]:
        """The reporting service's indicator catalogue by flag; it changes only with a release,
        so the first answer is kept."""
        if self._indicators is None:
            answer = await self.reporting.get_json("/v1/indicators")
            self._indicators = {i["flag"]: i for i in answer.get("indicators", [])}
        return self._indicators

    async def stats_file(self, params: Params, file_format: str) -> httpx.Response:
        return await self.reporting.get_bytes("/v1/stats", [*params, ("format", file_format)])

    async def summary_chart(self, params: Params) -> httpx.Response:
        return await self.reporting.get_bytes("/v1/reports/summary/chart.png", params)

    # --- registry (anonymous: public fields only) --------------------------------------------

    async def organization(self, org_id: UUID, as_of: str | None) -> dict[str, Any]:
        params = [("as_of", as_of)] if as_of else []
        record: dict[str, Any] = await self.registry.get_json(f"/v1/organizations/{org_id}", params)
        return record

    async def history(self, org_id: UUID) -> list[dict[str, Any]]:
        answer = await self.registry.get_json(f"/v1/organizations/{org_id}/history")
        return list(answer.get("versions", []))

    async def recently_changed(self, now: datetime, days: int, count: int) -> list[dict[str, Any]]:
        """The organisations changed most recently within `days`, newest first."""
        since = (now.astimezone(UTC) - timedelta(days=days)).isoformat()
        answer = await self.registry.get_json(
            "/v1/organizations", [("updated_since", since), ("limit", str(MAX_RECENT))]
        )
        items = sorted(answer.get("items", []), key=lambda r: r.get("updated_at", ""), reverse=True)
        return items[:count]

    async def close(self) -> None:
        for backend in (self.search, self.reporting, self.registry):
            await backend.close()
