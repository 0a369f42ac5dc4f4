"""The registry as the workspace sees it, in memory: one account, one session, the record of
fakes.RECORD, with the answers (and refusals) of the real API's shapes."""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field
from typing import Any

import httpx

from .fakes import HISTORY, ORG_ID, RECORD

PASSWORD = "mật khẩu của Lan"
SESSION = "hoptac_session_fake"


@dataclass
class FakeStaffRegistry:
    role: str = "reviewer"
    failures: int = 0
    record: dict[str, Any] = field(default_factory=lambda: copy.deepcopy(RECORD))
    version: int = 2
    requests: list[httpx.Request] = field(default_factory=list)
    patches: list[tuple[str, dict[str, Any]]] = field(default_factory=list)  # If-Match, body
    down: bool = False  # refuses connections
    provinces: list[str] = field(default_factory=list)  # the person's area
    history: list[dict[str, Any]] = field(default_factory=lambda: copy.deepcopy(HISTORY))

    def client(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(transport=httpx.MockTransport(self.handle), base_url="http://r")

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if self.down:
            raise httpx.ConnectError("connection refused", request=request)
        path, method = request.url.path, request.method
        if path == "/v1/sessions" and method == "POST":
            return self._sign_in(json.loads(request.content))
        if path == "/v1/reference/vsic":
            division = {"code": "03", "name": "Khai thác, nuôi trồng thủy sản", "section": "A"}
            return httpx.Response(200, json={"sections": [], "divisions": [division]})
        if path == "/v1/reference/status-transitions":
            return httpx.Response(200, json={"operating": ["dissolving", "suspended"]})
        if request.headers.get("authorization") != f"Bearer {SESSION}":
            return httpx.Response(401, json={"error": "unauthenticated", "message": "sign in"})
        if path == "/v1/whoami":
            body = {"name": "lan", "role": self.role, "provinces": self.provinces, "communes": []}
            return httpx.Response(200, json={**body, "expires_at": None})
        if path == "/v1/organizations":
            return httpx.Response(200, json={"items": [self.record], "next_cursor": None})
        if path == f"/v1/organizations/{ORG_ID}" and method == "GET":
            return httpx.Response(200, json=self.record, headers={"ETag": f'"{self.version}"'})
        if path == f"/v1/organizations/{ORG_ID}" and method == "PATCH":
            self.patches.append((request.headers["if-match"], json.loads(request.content)))
            if request.headers["if-match"] != f'"{self.version}"':
                return httpx.Response(412, json={"error": "stale_version", "message": "stale"})
            self.version += 1
            return httpx.Response(200, json=self.record, headers={"ETag": f'"{self.version}"'})
        if path == f"/v1/organizations/{ORG_ID}/history":
            return httpx.Response(200, json={"versions": self.history})
        return httpx.Response(404, json={"error": "not_found", "message": path})

    def _sign_in(self, body: dict[str, Any]) -> httpx.Response:
        if body["password"] == PASSWORD and self.failures < 5:
            account = {"username": "lan", "display_name": "Lan", "role": self.role}
            expires = "2099-01-01T00:00:00+00:00"
            return httpx.Response(
                201, json={"session": SESSION, "expires_at": expires, "account": account}
            )
        self.failures += 1
        wait = {"Retry-After": "5"} if self.failures >= 5 else {}
        return httpx.Response(403, json={"error": "sign_in_failed", "message": "no"}, headers=wait)
