"""Reads of the registry's HTTP API for the recount check: the listing and as-of records."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from datetime import date
from typing import Any

import httpx


class RegistryUnavailable(RuntimeError):
    pass


class RegistryReader:
    def __init__(self, client: httpx.AsyncClient, token: str | None, concurrency: int = 8) -> None:
        self.client = client
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}
        self.limit = asyncio.Semaphore(concurrency)

    async def _get(self, path: str, params: dict[str, Any]) -> httpx.Response:
        async with self.limit:
            response = await self.client.get(path, params=params, headers=self.headers)
        if response.status_code not in (200, 404, 410):
            raise RegistryUnavailable(
                f"the registry answered {response.status_code} to {path}: {response.text[:300]}"
            )
        return response

    async def records(self, province: str | None = None) -> AsyncIterator[dict[str, Any]]:
        """Every current (not removed) record, page by page."""
        params: dict[str, Any] = {"limit": 200}
        if province:
            params["province"] = province
        while True:
            body = (await self._get("/v1/organizations", params)).json()
            for item in body["items"]:
                yield item
            if not body.get("next_cursor"):
                return
            params["cursor"] = body["next_cursor"]

    async def record_on(self, org_id: str, day: date) -> dict[str, Any] | None:
        """The record as it stood on `day`; None when not registered by then (or removed)."""
        response = await self._get(f"/v1/organizations/{org_id}", {"as_of": day.isoformat()})
        return response.json() if response.status_code == 200 else None

    async def records_on(self, ids: Sequence[str], day: date) -> dict[str, dict[str, Any]]:
        found = await asyncio.gather(*(self.record_on(org_id, day) for org_id in ids))
        return {org_id: record for org_id, record in zip(ids, found, strict=True) if record}
