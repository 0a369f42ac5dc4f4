"""The register's rules and the documents each cites, as the registry lists them
(`GET /v1/reference/legal-basis`). They change only with a registry release, so the first answer
is kept; until one comes, asking again each time."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

import httpx

from hoptac.library.domain.errors import Unavailable
from hoptac.library.domain.numbers import number_key
from hoptac.library.domain.provisions import Rules
from hoptac.platform.text import Text


class RegisterRules(Protocol):
    async def rules(self) -> Rules: ...

    async def close(self) -> None: ...


def rules_of(answer: Mapping[str, Any]) -> dict[str, frozenset[str]]:
    """Rule code -> the number keys of the documents it cites, from the registry's answer."""
    listed = [*answer.get("statuses", []), *answer.get("required_fields", [])]
    return {
        str(rule["rule"]): frozenset(number_key(c["number"]) for c in rule["basis"])
        for rule in listed
    }


class RegistryRules:
    def __init__(
        self, registry_url: str, transport: httpx.AsyncBaseTransport | None = None
    ) -> None:
        self.http = httpx.AsyncClient(
            base_url=registry_url.rstrip("/"), timeout=5.0, transport=transport
        )
        self._rules: dict[str, frozenset[str]] | None = None

    async def rules(self) -> Rules:
        if self._rules is None:
            try:
                response = await self.http.get("/v1/reference/legal-basis")
                response.raise_for_status()
                self._rules = rules_of(response.json())
            except (httpx.HTTPError, ValueError, KeyError, TypeError) as error:
                raise Unavailable(Text("library.rules_unavailable")) from error
        return self._rules

    async def close(self) -> None:
        await self.http.aclose()


class StaticRules:
    """Rules known in advance, for tests."""

    def __init__(self, answer: Mapping[str, Any]) -> None:
        self._rules = rules_of(answer)

    async def rules(self) -> Rules:
        return self._rules

    async def close(self) -> None:
        return None
