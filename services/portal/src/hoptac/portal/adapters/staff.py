"""The registry as a signed-in person uses it: every call carries their session, so the registry
checks their role and area and records them as the writer. The portal decides nothing on its
own: what it shows is only what the registry allows, and a write it refuses stays refused.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote
from uuid import UUID

import httpx

from hoptac.portal.adapters.backends import NotFound, Unavailable

PART = "registry"


class SessionEnded(Exception):
    """The session expired, was ended, or its account was disabled: sign in again."""


@dataclass(frozen=True)
class Refused(Exception):
    """The service refused the request: 403 (not allowed), 409 (a transition the law forbids,
    a duplicate), 412 (someone changed the record meanwhile), 413 (a file too large), 422 (a
    field is wrong) or 429 (too many attempts, or over a rate limit)."""

    status: int
    message: str
    fields: tuple[tuple[str, str], ...] = ()  # (field path, the registry's message)


@dataclass(frozen=True)
class SignIn:
    session: str | None = None
    expires_at: str | None = None
    account: dict[str, Any] = field(default_factory=dict)
    retry_after: int = 0  # seconds before the next attempt is heard, when failures brought it
    delayed: bool = False  # this attempt came too early and was not checked


@dataclass(frozen=True)
class Versioned:
    body: dict[str, Any]
    version: int


def _bearer(session: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {session}"}


def _json(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


async def staff_call(
    client: httpx.AsyncClient, part: str, method: str, path: str, session: str | None, **kwargs: Any
) -> httpx.Response:
    """A call of a service with the person's session; its refusals as the exceptions above."""
    headers = {**kwargs.pop("headers", {}), **(_bearer(session) if session else {})}
    try:
        response = await client.request(method, path, headers=headers, **kwargs)
    except httpx.HTTPError as error:
        raise Unavailable(part, type(error).__name__) from error
    if response.status_code == 401:
        raise SessionEnded
    if response.status_code in (404, 410):
        raise NotFound(path)
    if response.status_code in (403, 409, 412, 413, 422, 428, 429):
        body = _json(response)
        fields = tuple(
            (str(e.get("field", "")), str(e.get("message", ""))) for e in body.get("errors") or []
        )
        raise Refused(response.status_code, str(body.get("message", "")), fields)
    if response.status_code >= 400:
        raise Unavailable(part, f"HTTP {response.status_code}")
    return response


def version_of(response: httpx.Response) -> int:
    return int(response.headers.get("etag", '"0"').strip('W/"') or 0)


class StaffRegistry:
    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client
        self._vsic: list[dict[str, Any]] | None = None

    async def _call(
        self, method: str, path: str, session: str | None, **kwargs: Any
    ) -> httpx.Response:
        return await staff_call(self.client, PART, method, path, session, **kwargs)

    async def sign_in(self, username: str, password: str, address: str) -> SignIn:
        try:
            response = await self.client.post(
                "/v1/sessions",
                json={"username": username, "password": password},
                headers={"X-Forwarded-For": address},
            )
        except httpx.HTTPError as error:
            raise Unavailable(PART, type(error).__name__) from error
        retry_after = int(response.headers.get("retry-after", "0") or 0)
        if response.status_code == 201:
            body = response.json()
            return SignIn(body["session"], body["expires_at"], body["account"])
        if response.status_code in (403, 422):
            return SignIn(retry_after=retry_after)
        if response.status_code == 429:
            return SignIn(retry_after=retry_after, delayed=True)
        raise Unavailable(PART, f"HTTP {response.status_code}")

    async def sign_out(self, session: str) -> None:
        await self._call("DELETE", "/v1/sessions/current", session)

    async def whoami(self, session: str) -> dict[str, Any]:
        return _json(await self._call("GET", "/v1/whoami", session))

    async def change_password(self, session: str, current: str, new: str) -> None:
        body = {"current_password": current, "new_password": new}
        await self._call("POST", "/v1/accounts/me/password", session, json=body)

    async def organization(self, session: str, org_id: UUID) -> Versioned:
        response = await self._call("GET", f"/v1/organizations/{org_id}", session)
        return Versioned(_json(response), version_of(response))

    async def organizations(self, session: str, params: list[tuple[str, str]]) -> list[Any]:
        answer = _json(await self._call("GET", "/v1/organizations", session, params=params))
        return list(answer.get("items", []))

    async def history(self, session: str, org_id: UUID) -> list[dict[str, Any]]:
        answer = await self._call("GET", f"/v1/organizations/{org_id}/history", session)
        return list(_json(answer).get("versions", []))

    async def register(self, session: str, record: dict[str, Any]) -> Versioned:
        response = await self._call("POST", "/v1/organizations", session, json=record)
        return Versioned(_json(response), version_of(response))

    async def update(
        self, session: str, org_id: UUID, changes: dict[str, Any], version: int
    ) -> Versioned:
        response = await self._call(
            "PATCH",
            f"/v1/organizations/{org_id}",
            session,
            json=changes,
            headers={"If-Match": f'"{version}"'},
        )
        return Versioned(_json(response), version_of(response))

    async def change_status(
        self, session: str, org_id: UUID, change: dict[str, Any], version: int
    ) -> Versioned:
        response = await self._call(
            "POST",
            f"/v1/organizations/{org_id}/status",
            session,
            json=change,
            headers={"If-Match": f'"{version}"'},
        )
        return Versioned(_json(response), version_of(response))

    async def merge(self, session: str, org_id: UUID, merger: dict[str, Any], version: int) -> None:
        await self._call(
            "POST",
            f"/v1/organizations/{org_id}/merge",
            session,
            json=merger,
            headers={"If-Match": f'"{version}"'},
        )

    async def remove(self, session: str, org_id: UUID, reason: str, version: int) -> None:
        await self._call(
            "DELETE",
            f"/v1/organizations/{org_id}",
            session,
            params={"reason": reason},
            headers={"If-Match": f'"{version}"'},
        )

    async def vsic_divisions(self) -> list[dict[str, Any]]:
        """VSIC 2018 divisions (code, name); they change only with a release of the registry,
        so the first answer is kept."""
        if self._vsic is None:
            answer = _json(await self._call("GET", "/v1/reference/vsic", None))
            self._vsic = list(answer.get("divisions", []))
        return self._vsic

    async def transitions(self) -> dict[str, list[str]]:
        answer = _json(await self._call("GET", "/v1/reference/status-transitions", None))
        return {status: list(allowed) for status, allowed in answer.items()}

    async def audit(self, session: str, params: list[tuple[str, str]]) -> dict[str, Any]:
        return _json(await self._call("GET", "/v1/audit", session, params=params))

    async def accounts(self, session: str) -> list[dict[str, Any]]:
        return list(_json(await self._call("GET", "/v1/accounts", session)).get("accounts", []))

    async def create_account(self, session: str, account: dict[str, Any]) -> None:
        await self._call("POST", "/v1/accounts", session, json=account)

    async def disable_account(self, session: str, username: str) -> None:
        await self._call("POST", f"/v1/accounts/{quote(username, safe='')}/disable", session)

    async def tokens(self, session: str) -> list[dict[str, Any]]:
        return list(_json(await self._call("GET", "/v1/tokens", session)).get("tokens", []))

    async def create_token(self, session: str, token: dict[str, Any]) -> str:
        answer = await self._call("POST", "/v1/tokens", session, json=token)
        return str(_json(answer)["token"])

    async def revoke_token(self, session: str, name: str) -> None:
        await self._call("POST", f"/v1/tokens/{quote(name, safe='')}/revoke", session)

    async def rotate_token(self, session: str, name: str) -> str:
        path = f"/v1/tokens/{quote(name, safe='')}/rotate"
        answer = await self._call("POST", path, session, json={})
        return str(_json(answer)["token"])

    async def close(self) -> None:
        await self.client.aclose()
