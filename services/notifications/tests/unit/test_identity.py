"""Asking the registry who holds a token, and remembering the answer briefly."""

from __future__ import annotations

import httpx
import pytest

from hoptac.platform.identity import IdentityUnavailable, RegistryIdentity

pytestmark = pytest.mark.unit


async def test_answers_are_cached_and_unknown_tokens_are_none() -> None:
    calls: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        token = request.headers["authorization"].removeprefix("Bearer ")
        calls.append(token)
        if token == "good":
            return httpx.Response(
                200,
                json={
                    "name": "so-tai-chinh",
                    "role": "agency_reader",
                    "provinces": [],
                    "communes": [],
                },
            )
        return httpx.Response(401, json={"error": "unauthenticated"})

    identity = RegistryIdentity("http://registry", 60, httpx.MockTransport(answer))
    caller = await identity.who("good")
    assert caller is not None
    assert caller.name == "so-tai-chinh"
    await identity.who("good")
    assert await identity.who("bad") is None
    assert await identity.who("bad") is None
    assert calls == ["good", "bad"]
    await identity.close()


async def test_a_registry_that_cannot_answer_is_reported() -> None:
    def broken(request: httpx.Request) -> httpx.Response:
        return httpx.Response(500)

    identity = RegistryIdentity("http://registry", 0, httpx.MockTransport(broken))
    with pytest.raises(IdentityUnavailable):
        await identity.who("x")
    await identity.close()
