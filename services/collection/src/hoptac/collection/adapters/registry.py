"""The registry over HTTP: the register's reference lists, reads of one record, and the batch
write every approved change goes through (with the caller's own token, so the registry applies
its rules, area included, and its history names the person)."""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any
from uuid import UUID

import httpx
import orjson

from hoptac.collection.domain.errors import NotAllowed, Unauthenticated, Unavailable
from hoptac.platform.text import Text

log = logging.getLogger("hoptac.collection.registry")
CORRELATION_IDS_PER_REQUEST = 100  # what the registry's GET /v1/changes/correlated takes
Request = tuple[list[dict[str, Any]], "asyncio.Future[list[dict[str, Any]]]"]  # rows, answers


class RegistryClient:
    def __init__(
        self,
        registry_url: str,
        batch_rows: int = 500,
        in_flight: int = 2,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.http = httpx.AsyncClient(
            base_url=registry_url.rstrip("/"), timeout=60.0, transport=transport
        )
        self.batch_rows = batch_rows
        self.in_flight = in_flight
        self._vsic: dict[str, str] | None = None

    async def close(self) -> None:
        await self.http.aclose()

    async def _send(
        self,
        method: str,
        path: str,
        token: str | None,
        language: str | None = None,
        *,
        own_connection: bool = False,
        **kwargs: Any,
    ) -> Any:
        """One request. With `own_connection` it is sent on a connection of its own, closed
        after the answer: the registry's API runs in several processes sharing one socket,
        and a connection kept alive stays with the process that accepted it, so the batch
        requests sent side by side could all land on one process while another stands idle
        (a 100,000-row dry run then checked on one core: 16 s instead of 11)."""
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        if own_connection:
            headers["Connection"] = "close"
        if language:
            headers["Accept-Language"] = language
        if "json" in kwargs:
            kwargs["content"] = _json_body(kwargs.pop("json"))
            headers["Content-Type"] = "application/json"
        try:
            response = await self.http.request(method, path, headers=headers, **kwargs)
        except httpx.HTTPError as error:
            log.warning("the registry cannot be reached: %s", error)
            raise Unavailable(Text("collection.registry_unavailable")) from error
        if response.status_code == 401:
            raise Unauthenticated(Text("collection.registry_refused_token"))
        if response.status_code == 403:
            raise NotAllowed(Text("collection.registry_forbidden"))
        if response.status_code >= 500:
            log.warning("the registry answered %s", response.status_code)
            raise Unavailable(Text("collection.registry_unavailable"))
        return response

    async def vsic_divisions(self) -> dict[str, str]:
        """VSIC 2018 divisions (code → name), asked once: the list changes with a decree."""
        if self._vsic is None:
            response = await self._send("GET", "/v1/reference/vsic", None)
            response.raise_for_status()
            self._vsic = {d["code"]: d["name"] for d in response.json()["divisions"]}
        return self._vsic

    async def record(self, token: str | None, org_id: UUID) -> dict[str, Any] | None:
        """One record as the registry shows this token (None: its public fields)."""
        response = await self._send("GET", f"/v1/organizations/{org_id}", token)
        if response.status_code in (404, 410):
            return None
        response.raise_for_status()
        record: dict[str, Any] = response.json()
        return record

    async def in_province(self, token: str, province: str) -> list[dict[str, Any]]:
        """Every organisation of one current province, page by page."""
        found: list[dict[str, Any]] = []
        cursor = None
        while True:
            params = {"province": province, "limit": 200, **({"cursor": cursor} if cursor else {})}
            response = await self._send("GET", "/v1/organizations", token, params=params)
            response.raise_for_status()
            page = response.json()
            found.extend(page["items"])
            cursor = page["next_cursor"]
            if cursor is None:
                return found

    async def changes_head(self, token: str) -> int | None:
        """The registry's newest change committed (GET /v1/changes/head); None when it cannot
        say (a registry from before it did)."""
        response = await self._send("GET", "/v1/changes/head", token)
        if response.status_code != 200:
            return None
        head = response.json().get("head")
        return head if isinstance(head, int) else None

    async def batch(
        self,
        token: str,
        changes: list[dict[str, Any]],
        dry_run: bool = False,
        language: str | None = None,
    ) -> list[dict[str, Any]]:
        """Each change's result, in order, sent in requests of `batch_rows`, `in_flight` of
        them at once (each request is a transaction of the registry: side by side they use
        its other connections and its idle moments). Changes that must apply in the order
        given, two of them to one record, are sent one request after the other. `language`:
        that of the registry's messages about refused rows."""
        gate = asyncio.Semaphore(self.in_flight if dry_run or _independent(changes) else 1)
        answered = await asyncio.gather(
            *(
                self._batch_part(gate, token, part, dry_run, language)
                for part in self._parts(changes)
            )
        )
        return [result for part in answered for result in part]

    def dry_run(self, token: str, language: str | None = None) -> DryRun:
        """The registry's dry run of rows given a part at a time (see `DryRun`)."""
        return DryRun(self, token, language)

    def _parts(self, changes: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
        return [
            changes[start : start + self.batch_rows]
            for start in range(0, len(changes), self.batch_rows)
        ]

    async def _batch_part(
        self,
        gate: asyncio.Semaphore,
        token: str,
        part: list[dict[str, Any]],
        dry_run: bool,
        language: str | None,
    ) -> list[dict[str, Any]]:
        async with gate:
            response = await self._send(
                "POST",
                "/v1/organizations/batch",
                token,
                language,
                # Names are matched here (by commune, domain/matching.py) before a row
                # becomes a proposal: the registry's search of the whole province for
                # similar names would only repeat it, at a cost growing with the province.
                json={"changes": part, "dry_run": dry_run, "similar_names": False},
                own_connection=True,
            )
        response.raise_for_status()
        results: list[dict[str, Any]] = response.json()["results"]
        return results

    async def correlated(
        self, token: str, correlation_ids: list[str]
    ) -> dict[str, list[dict[str, Any]]]:
        """The changes the registry committed under each of `correlation_ids` (an id under
        which nothing was committed is absent), read as soon as they commit."""
        found: dict[str, list[dict[str, Any]]] = {}
        for start in range(0, len(correlation_ids), CORRELATION_IDS_PER_REQUEST):
            part = correlation_ids[start : start + CORRELATION_IDS_PER_REQUEST]
            response = await self._send(
                "GET", "/v1/changes/correlated", token, params={"correlation_id": part}
            )
            response.raise_for_status()
            answer = response.json()
            if not answer["complete"]:
                # Only a writer reusing collection's ids could make it: deciding on part of
                # the answer could send a change twice, so nothing is decided.
                log.error("the registry holds too many changes under %s…", part[0])
                raise Unavailable(Text("collection.registry_unavailable"))
            for change in answer["changes"]:
                found.setdefault(change["correlation_id"], []).append(change)
        return found


class DryRun:
    """The registry's dry run of its batch write over rows given a part at a time, while the
    caller still reads the rest of its file: each request of `batch_rows` rows leaves as soon
    as its rows are given, `in_flight` of them at once, so the registry checks the first rows
    while collection reads the last ones. What was given may still change until the end (a
    record found by a province read later): `results(rows)` keeps the answer of each request
    sent with exactly the rows of its place in `rows` and sends the others then, so that the
    answers are those of one `batch(rows, dry_run=True)`, however the rows were given. A dry
    run changes nothing, so answers do not depend on when a request was sent."""

    def __init__(self, client: RegistryClient, token: str, language: str | None) -> None:
        self._client = client
        self._token = token
        self._language = language
        self._gate = asyncio.Semaphore(client.in_flight)
        self._given: list[dict[str, Any]] = []
        self._sent: list[Request] = []
        self._dropped: list[asyncio.Future[list[dict[str, Any]]]] = []  # rows that changed

    async def __aenter__(self) -> DryRun:
        return self

    async def __aexit__(self, *_: object) -> None:
        """Requests no answer was taken from (a check ended early) are not left running."""
        requests = [request for _, request in self._sent] + self._dropped
        for request in requests:
            request.cancel()
        await asyncio.gather(*requests, return_exceptions=True)

    def add(self, rows: list[dict[str, Any]]) -> None:
        """More rows, in order; each full request's worth sent at once."""
        self._given.extend(rows)
        size = self._client.batch_rows
        while len(self._given) >= (len(self._sent) + 1) * size:
            start = len(self._sent) * size
            self._sent.append(self._request(self._given[start : start + size]))

    async def results(self, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Each of `rows`' result, in order: the rows as they are known for good."""
        parts = self._client._parts(rows)
        same = [
            index < len(self._sent) and self._sent[index][0] == part
            for index, part in enumerate(parts)
        ]
        for index, (_, request) in enumerate(self._sent):
            if index >= len(parts) or not same[index]:
                request.cancel()  # before the new requests: it would hold a place in the gate
                self._dropped.append(request)
        self._sent = [
            self._sent[index] if kept else self._request(part)
            for index, (part, kept) in enumerate(zip(parts, same, strict=True))
        ]
        answered = await asyncio.gather(*(request for _, request in self._sent))
        return [result for part in answered for result in part]

    def _request(self, part: list[dict[str, Any]]) -> Request:
        sending = self._client._batch_part(self._gate, self._token, part, True, self._language)
        return part, asyncio.ensure_future(sending)


def _independent(changes: list[dict[str, Any]]) -> bool:
    """Whether no two changes touch one record, so that their order does not matter: a
    registration makes a record of its own (two with one number are refused by the registry
    whichever comes first, and collection never sends such a pair)."""
    ids = [change["id"] for change in changes if change.get("id") is not None]
    return len(ids) == len(set(ids))


def _json_body(value: Any) -> bytes:
    """A request's JSON with orjson, several times faster than the standard library's encoder
    that httpx uses (a check's rows are tens of megabytes of it); an integer beyond 64 bits,
    which orjson does not write and a cell may hold, with the standard library."""
    try:
        return orjson.dumps(value)
    except orjson.JSONEncodeError:
        return json.dumps(
            value, ensure_ascii=False, separators=(",", ":"), allow_nan=False
        ).encode()
