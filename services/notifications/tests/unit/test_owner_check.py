"""Asking whether subscriptions' owners still hold their tokens: once per owner per interval,
a revocation remembered for good, a registry that cannot answer stops nothing."""

from __future__ import annotations

import pytest

from hoptac.notifications.adapters.owners import OwnerCheck
from hoptac.notifications.adapters.secret_box import SecretBox, new_key
from hoptac.platform.identity import Caller, IdentityUnavailable

pytestmark = pytest.mark.unit


class Registry:
    def __init__(self) -> None:
        self.valid = {"tok-a": Caller("a", "agency_reader"), "tok-b": Caller("b", "agency_reader")}
        self.asked: list[str] = []
        self.down = False

    async def who(self, token: str) -> Caller | None:
        self.asked.append(token)
        if self.down:
            raise IdentityUnavailable("the registry cannot be reached")
        return self.valid.get(token)

    async def close(self) -> None:
        return None


@pytest.fixture
def box() -> SecretBox:
    key = new_key()
    return SecretBox(lambda: [key])


async def test_each_owner_is_asked_once_per_interval_and_a_revocation_is_kept(box) -> None:
    registry, now = Registry(), [0.0]
    check = OwnerCheck(registry, box, cache_seconds=5, clock=lambda: now[0])
    owners = {"a": box.seal("tok-a"), "b": box.seal("tok-b")}
    assert await check.revoked(owners) == set()
    assert await check.revoked(owners) == set()
    assert sorted(registry.asked) == ["tok-a", "tok-b"]
    del registry.valid["tok-a"]
    now[0] = 4.9
    assert await check.revoked(owners) == set()  # within the interval: not asked again
    now[0] = 5.0
    assert await check.revoked(owners) == {"a"}
    registry.valid["tok-a"] = Caller("a", "agency_reader")
    now[0] = 60.0
    assert await check.revoked(owners) == {"a"}  # a revoked name never comes back
    assert registry.asked.count("tok-a") == 2


async def test_a_token_that_now_names_someone_else_is_revoked(box) -> None:
    registry = Registry()
    check = OwnerCheck(registry, box, cache_seconds=5)
    assert await check.revoked({"a": box.seal("tok-b")}) == {"a"}


async def test_a_registry_that_cannot_answer_stops_nothing(box) -> None:
    registry = Registry()
    registry.down = True
    check = OwnerCheck(registry, box, cache_seconds=5)
    assert await check.revoked({"a": box.seal("tok-a")}) == set()
    registry.down = False
    del registry.valid["tok-a"]
    assert await check.revoked({"a": box.seal("tok-a")}) == {"a"}  # asked again at once
