"""HTTP clients of the services the portal stands on: search, reporting and the registry.

The portal sends no token: it reads the registry as the public does, so it can never show a
restricted field. A backend that cannot answer raises `Unavailable` naming the part of the site
it serves, so a page can say which part is missing and show the rest.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import orjson

from hoptac.portal.adapters.http_transport import (
    AiohttpTransport,
    Answer,
    Params,
    Transport,
    TransportError,
)
from hoptac.portal.adapters.recent_answers import RecentAnswers, VersionedAnswers

NO_HEADERS: Mapping[str, str] = {}
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
    def __init__(
        self, part: str, base_url: str, timeout: float, transport: Transport | None = None
    ) -> None:
        self.part = part
        self.transport = transport or AiohttpTransport(base_url, timeout)

    async def get_json(self, path: str, params: Params = ()) -> Any:
        return self._json(await self._get(path, params))

    async def get_json_if_changed(self, path: str, etag: str) -> Any | None:
        """The JSON answer, or None when the backend says (304) that the version `etag`
        names is still the current one."""
        answer = await self._get(path, (), {"If-None-Match": etag})
        return None if answer.status == 304 else self._json(answer)

    async def get_bytes(self, path: str, params: Params = ()) -> Answer:
        return await self._get(path, params)

    def _json(self, answer: Answer) -> Any:
        try:
            return orjson.loads(answer.content)  # a third of the standard library's time
        except orjson.JSONDecodeError as error:
            raise Unavailable(self.part, "an answer that is not JSON") from error

    async def _get(
        self, path: str, params: Params, headers: Mapping[str, str] = NO_HEADERS
    ) -> Answer:
        try:
            answer = await self.transport.get(path, params, headers)
        except TransportError as error:
            raise Unavailable(self.part, str(error)) from error
        if answer.status == 304 and "If-None-Match" in headers:
            return answer
        if answer.status == 404:
            raise NotFound(path)
        if answer.status == 422:
            errors = _json_or_empty(answer).get("errors", [])
            raise Rejected(self.part, tuple(str(e.get("field", "")) for e in errors))
        if answer.status != 200:
            raise Unavailable(self.part, f"HTTP {answer.status}")
        return answer

    async def close(self) -> None:
        await self.transport.close()


async def _outcome(answer: Awaitable[Any]) -> Any:
    """The answer, or the exception raised: as `asyncio.gather(return_exceptions=True)`."""
    try:
        return await answer
    except Exception as error:
        return error


def _json_or_empty(answer: Answer) -> dict[str, Any]:
    try:
        body = orjson.loads(answer.content)
    except orjson.JSONDecodeError:
        return {}
    return body if isinstance(body, dict) else {}


def _citations_by(rules: list[dict[str, Any]], key: str) -> dict[str, list[dict[str, Any]]]:
    """The registry's rules (a status or a field under `key`, the rule's code, its basis) as
    the citations of each, every one carrying its rule's code for the library's articles."""
    return {r[key]: [{**c, "rule": r.get("rule")} for c in r["basis"]] for r in rules}


class Backends:
    def __init__(
        self,
        search: Backend,
        reporting: Backend,
        registry: Backend,
        search_seconds: float = 0.0,
        histories: int = 0,
        search_stale_seconds: float = 0.0,
    ) -> None:
        """`search_seconds`: how long a search answer serves the same query (0: never), and
        `search_stale_seconds` how much longer while a fresh one is asked for (`RecentAnswers`);
        `histories`: how many organisations' records and histories are kept, each with its
        version."""
        self.search = search
        self.reporting = reporting
        self.registry = registry
        self._indicators: dict[str, dict[str, Any]] | None = None
        self._rules: dict[str, Any] | None = None
        self._searches = RecentAnswers(search_seconds, stale_seconds=search_stale_seconds)
        self._histories = VersionedAnswers(histories)
        self._records = VersionedAnswers(histories)

    # --- search ------------------------------------------------------------------------------

    async def search_page(self, params: Params) -> dict[str, Any]:
        answer: dict[str, Any] = await self._searches.answer(
            tuple(params), lambda: self.search.get_json("/v1/search", params)
        )
        return answer

    async def commune_counts(self, params: Params) -> dict[str, Any]:
        """A search's matches by current commune ({total, communes}): the map."""
        answer: dict[str, Any] = await self.search.get_json("/v1/search/communes", params)
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
            page = await self.search.get_json("/v1/search", page_params)  # never kept
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

    async def stats_file(self, params: Params, file_format: str) -> Answer:
        return await self.reporting.get_bytes("/v1/stats", [*params, ("format", file_format)])

    async def summary_chart(self, params: Params) -> Answer:
        return await self.reporting.get_bytes("/v1/reports/summary/chart.png", params)

    # --- registry (anonymous: public fields only) --------------------------------------------

    async def organization(self, org_id: UUID, as_of: str | None) -> dict[str, Any]:
        params = [("as_of", as_of)] if as_of else []
        record: dict[str, Any] = await self.registry.get_json(f"/v1/organizations/{org_id}", params)
        if as_of is None:
            self._records.put(org_id, int(record["version"]), record)
        return record

    async def current_organization(self, org_id: UUID) -> dict[str, Any]:
        """The record now. When one is kept, the registry is asked whether its version is
        still the current one (If-None-Match), and answers 304 without a body when it is."""
        held = self._records.latest(org_id)
        if held is None:
            return await self.organization(org_id, None)
        version, kept = held
        record: dict[str, Any] | None = await self.registry.get_json_if_changed(
            f"/v1/organizations/{org_id}", f'"{version}"'
        )
        if record is None:
            return kept  # type: ignore[no-any-return]
        self._records.put(org_id, int(record["version"]), record)
        return record

    async def _legal_basis(self) -> dict[str, Any] | None:
        """The registry's rules with the documents each rests on; they change only with a
        release, so the first answer is kept. None while the registry does not answer."""
        if self._rules is None:
            try:
                self._rules = await self.registry.get_json("/v1/reference/legal-basis")
            except (Unavailable, Rejected, NotFound):
                return None
        return self._rules

    async def status_basis(self) -> dict[str, list[dict[str, Any]]]:
        """Per legal status, the documents entering it rests on ({number, provision, rule}).
        Without the registry's answer, none: a page then shows the status without its basis."""
        answer = await self._legal_basis()
        return _citations_by(answer["statuses"], "status") if answer else {}

    async def field_basis(self) -> dict[str, list[dict[str, Any]]]:
        """Per field the registry requires (by its path in a record: `address.province_code`),
        the documents requiring it; none without the registry's answer."""
        answer = await self._legal_basis()
        return _citations_by(answer.get("required_fields", []), "field") if answer else {}

    async def history(self, org_id: UUID) -> list[dict[str, Any]]:
        answer = await self.registry.get_json(f"/v1/organizations/{org_id}/history")
        versions = list(answer.get("versions", []))
        if versions:
            self._histories.put(org_id, max(int(v["version"]) for v in versions), versions)
        return versions

    async def record_and_history(self, org_id: UUID, as_of: str | None) -> tuple[Any, Any]:
        """The record (as of a day) and its history: each the answer or the exception raised.
        Asked at once, so the page waits for the slower; but when the history up to the
        record's current version is known, the record alone (kept too: a 304 when current)."""
        if as_of is not None or org_id not in self._histories:
            answers = await asyncio.gather(
                self.organization(org_id, as_of), self.history(org_id), return_exceptions=True
            )
            return answers[0], answers[1]
        record = await _outcome(self.current_organization(org_id))
        known = (
            self._histories.get(org_id, record.get("version")) if isinstance(record, dict) else None
        )
        return record, known if known is not None else await _outcome(self.history(org_id))

    async def recently_changed(self, now: datetime, days: int, count: int) -> list[dict[str, Any]]:
        """The organisations changed most recently within `days`, newest first."""
        since = (now.astimezone(UTC) - timedelta(days=days)).isoformat()
        answer = await self.registry.get_json(
            "/v1/organizations", [("updated_since", since), ("limit", str(MAX_RECENT))]
        )
        items = sorted(answer.get("items", []), key=lambda r: r.get("updated_at", ""), reverse=True)
        return items[:count]

    async def close(self) -> None:
        await self._searches.close()
        for backend in (self.search, self.reporting, self.registry):
            await backend.close()
